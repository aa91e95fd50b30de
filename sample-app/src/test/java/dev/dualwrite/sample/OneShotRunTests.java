package dev.dualwrite.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.dualwrite.autoconfigure.backfill.BackfillRunner;
import dev.dualwrite.core.backfill.BackfillJobReport;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample, secured by its own {@code SecurityFilterChain}, started as a one-shot backfill
 * the way the README says: it starts as always, with its web server on a free port
 * ({@code --server.port=0}), copies the tokens and reports success as its exit status.
 */
class OneShotRunTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(OneShotRunTests.class);

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(OneShotRunTests.class);

    @Test
    void theSecuredSampleRunsTheOneShotBackfillWithItsWebServerOnAFreePort() {
        seedTokensAsTheServiceWroteThem(3);
        List<String> arguments = new ArrayList<>();
        DynamicPropertyRegistry registry = (name, value) -> arguments.add("--" + name + "=" + value.get());
        SampleTestServers.register(registry, schema, keys);
        arguments.addAll(List.of("--dual-write.repositories.tokens.strategy=DUAL", "--dual-write.backfill.run=tokens",
                "--server.port=0",
                // The test reads the exit status from the runner rather than ending its own JVM.
                "--dual-write.backfill.exit-after-run=false"));

        try (ConfigurableApplicationContext context = SampleApplication.application()
            .run(arguments.toArray(String[]::new))) {
            assertThat(context).isInstanceOfSatisfying(WebServerApplicationContext.class,
                    (web) -> assertThat(web.getWebServer().getPort()).isPositive());
            assertThat(context.getBean(BackfillRunner.class).getExitCode()).isEqualTo(BackfillJobReport.EXIT_SUCCESS);
            assertThat(SpringApplication.exit(context)).isEqualTo(BackfillJobReport.EXIT_SUCCESS);
        }
        assertThat(new JdbcTemplate(schema.dataSource()).queryForList("select id from tokens order by id", String.class))
            .containsExactly("one-shot-0", "one-shot-1", "one-shot-2");
    }

    private static void seedTokensAsTheServiceWroteThem(int count) {
        RedisClient client = RedisClient.create(RedisURI.create(keys.server().host(), keys.server().port()));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            for (int i = 0; i < count; i++) {
                connection.sync()
                    .set(SampleTestServers.tokenKey(keys, "one-shot-" + i), "{\"id\":\"one-shot-" + i
                            + "\",\"holderAddress\":\"0x" + "3".repeat(40) + "\",\"timestamp\":\"2025-06-01T12:00:00Z\"}");
            }
        }
        finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

}
