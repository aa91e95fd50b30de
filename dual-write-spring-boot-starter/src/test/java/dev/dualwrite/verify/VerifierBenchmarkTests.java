package dev.dualwrite.verify;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyOptions;
import dev.dualwrite.verify.app.ParityJsonApplication;
import dev.dualwrite.verify.app.ParityToken;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Prints the verifier's throughput on a sizeable dataset (figures, not assertions on speed).
 * Run with {@code -Ddualwrite.benchmark=true}; {@code -Ddualwrite.benchmark.rows=200000} sets
 * the size (default 100 000 keys in each store).
 */
@EnabledIfSystemProperty(named = "dualwrite.benchmark", matches = "true")
@DirtiesContext
@SpringBootTest(classes = ParityJsonApplication.class,
        properties = { "spring.flyway.locations=classpath:db/parity/verify", "dual-write.repair.enabled=false" })
class VerifierBenchmarkTests {

    private static final String REPOSITORY = "parity_tokens";

    private static final ContractStores stores = ContractStores.start(VerifierBenchmarkTests.class,
            ParityToken.PREFIX);

    @Autowired
    private Verifier verifier;

    @Autowired
    private DualRepositoryRegistry registry;

    @Autowired
    private StrategySource strategies;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        stores.register(registry);
    }

    @AfterAll
    static void cleanUp() {
        stores.clear(List.of(REPOSITORY), List.of(REPOSITORY));
        stores.close();
    }

    @Test
    void verifierThroughput() {
        int rows = Integer.getInteger("dualwrite.benchmark.rows", 100_000);
        stores.clear(List.of(REPOSITORY), List.of(REPOSITORY));
        this.strategies.change(REPOSITORY, WriteStrategy.DUAL, true);
        Instant minted = Instant.parse("2024-05-01T10:00:00.123456Z");
        long loadStart = System.nanoTime();
        for (int from = 0; from < rows; from += 1000) {
            Map<String, String> values = new LinkedHashMap<>();
            List<Object[]> batch = new ArrayList<>();
            for (int i = from; i < Math.min(rows, from + 1000); i++) {
                String id = String.format("t%08d", i);
                values.put(ParityToken.PREFIX + id, "{\"id\":\"" + id + "\",\"holder\":\"0xholder" + i
                        + "\",\"amount\":" + (i % 1000) + ".25,\"mintedAt\":\"" + minted + "\",\"quantity\":" + i + "}");
                batch.add(new Object[] { id, "0xholder" + i, new BigDecimal((i % 1000) + ".25"), Timestamp.from(minted),
                        i });
            }
            stores.redis().opsForValue().multiSet(values);
            stores.postgres()
                .batchUpdate("insert into " + REPOSITORY
                        + " (id, holder, amount, minted_at, quantity) values (?, ?, ?, ?, ?)", batch);
        }
        System.out.printf("verifier benchmark: loaded %d keys into each store in %.1f s%n", rows,
                (System.nanoTime() - loadStart) / 1e9);
        for (int run = 0; run < 2; run++) {
            VerificationReport report = this.verifier.verify(Verifier.find(this.registry::all, REPOSITORY),
                    VerifyOptions.full());
            assertThat(report.agree()).as(report.summary()).isTrue();
            System.out.printf("verifier benchmark: run %d: %d Redis keys + %d PostgreSQL rows in %.1f s = %.0f "
                    + "keys/s (%.0f keys compared/s)%n", run + 1, report.redisKeys(), report.postgresRows(),
                    java.time.Duration.between(report.startedAt(), report.finishedAt()).toMillis() / 1000.0,
                    report.rowsPerSecond(), report.compared() / Math.max(0.001,
                            java.time.Duration.between(report.startedAt(), report.finishedAt()).toMillis() / 1000.0));
        }
    }

}
