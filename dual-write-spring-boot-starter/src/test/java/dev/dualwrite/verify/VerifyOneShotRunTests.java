package dev.dualwrite.verify;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import dev.dualwrite.autoconfigure.verify.VerifyOneShotRunner;
import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.verify.app.ParityJsonApplication;
import dev.dualwrite.verify.app.ParityToken;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one-shot run ({@code dual-write.verify.run}) as a pipeline gate: the exit code says
 * whether the stores agree.
 */
class VerifyOneShotRunTests {

    private static final String REPOSITORY = "parity_tokens";

    private static final ContractStores stores = ContractStores.start(VerifyOneShotRunTests.class,
            ParityToken.PREFIX);

    @AfterAll
    static void cleanUp() {
        stores.clear(List.of(REPOSITORY), List.of(REPOSITORY));
        stores.close();
    }

    @BeforeEach
    void clean() {
        // The table is created by the first application start.
        stores.redis().delete(ParityToken.PREFIX + "a");
        try {
            stores.clear(List.of(REPOSITORY), List.of(REPOSITORY));
        }
        catch (RuntimeException ex) {
            // no table yet
        }
    }

    @Test
    void exitCodeIsZeroWhenTheStoresAgreeAndOneWhenTheyDiffer() {
        try (ConfigurableApplicationContext context = start()) {
            assertThat(context.getBean(VerifyOneShotRunner.class).getExitCode()).isZero();
            assertThat(SpringApplication.exit(context)).isZero();
        }
        stores.redis().opsForValue().set(ParityToken.PREFIX + "a", "{\"id\":\"a\",\"holder\":\"A\",\"amount\":1,"
                + "\"mintedAt\":\"2024-05-01T10:00:00Z\",\"quantity\":1}");
        try (ConfigurableApplicationContext context = start()) {
            VerifyOneShotRunner runner = context.getBean(VerifyOneShotRunner.class);
            assertThat(runner.getExitCode()).isEqualTo(VerifyOneShotRunner.DIFFER);
            assertThat(runner.reports()).singleElement().satisfies((report) -> assertThat(report.agree()).isFalse());
            assertThat(SpringApplication.exit(context)).isEqualTo(1);
        }
        stores.postgres().update("insert into " + REPOSITORY
                + " (id, holder, amount, minted_at, quantity) values ('a', 'A', ?, ?, 1)", new BigDecimal("1.0"),
                Timestamp.from(Instant.parse("2024-05-01T10:00:00Z")));
        try (ConfigurableApplicationContext context = start()) {
            assertThat(context.getBean(VerifyOneShotRunner.class).getExitCode()).isZero();
        }
    }

    private ConfigurableApplicationContext start() {
        List<String> args = new java.util.ArrayList<>(List.of("--spring.flyway.locations=classpath:db/parity/verify",
                "--dual-write.repair.enabled=false", "--dual-write.verify.run=" + REPOSITORY,
                "--dual-write.verify.exit=false"));
        org.springframework.test.context.DynamicPropertyRegistry registry = (name, value) -> args
            .add("--" + name + "=" + value.get());
        stores.register(registry);
        return new SpringApplicationBuilder(ParityJsonApplication.class).web(WebApplicationType.NONE)
            .run(args.toArray(String[]::new));
    }

}
