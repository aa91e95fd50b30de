package dev.dualwrite.autoconfigure.backfill;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.WidgetHost;
import dev.dualwrite.autoconfigure.fixtures.widget.Widget;
import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.backfill.BackfillMetrics;
import dev.dualwrite.core.backfill.BackfillMode;
import dev.dualwrite.core.backfill.BackfillOptions;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.testsupport.TestSchema;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DualWriteBackfillAutoConfiguration}, against the real servers.
 */
class DualWriteBackfillAutoConfigurationTests {

    private static final TestSchema schema = TestSchema.create(DualWriteBackfillAutoConfigurationTests.class);

    private final ApplicationContextRunner contextRunner = WidgetHost.on(schema)
        .withConfiguration(AutoConfigurations.of(DualWriteBackfillAutoConfiguration.class));

    @AfterAll
    static void dropSchemaAndKeys() {
        schema.close();
        FixtureStores.deleteRedisKeys();
    }

    @Test
    void backfillOfEveryPairedRepositoryWithTheDefaultOptionsAndARunnerThatRunsNothingUnlessAsked() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasNotFailed()
                .hasSingleBean(Backfill.class)
                .hasSingleBean(BackfillRunner.class)
                .hasSingleBean(BackfillRunner.Exit.class);
            Backfill backfill = context.getBean(Backfill.class);
            assertThat(backfill.repositories()).containsExactly(Widget.TABLE);
            assertThat(backfill.defaults()).isEqualTo(BackfillOptions.DEFAULTS);
            assertThat(backfill.currentJob()).isEmpty();
            assertThat(context.getBean(BackfillProperties.class).getRun()).isEmpty();
        });
    }

    @Test
    void propertiesSetTheDefaultOptionsOfEveryJob() {
        this.contextRunner
            .withPropertyValues("dual-write.backfill.key-pattern=widget:*", "dual-write.backfill.batch-size=100",
                    "dual-write.backfill.parallelism=3", "dual-write.backfill.rate-limit=250",
                    "dual-write.backfill.dry-run=true", "dual-write.backfill.fail-fast=true",
                    "dual-write.backfill.scan-count=50", "dual-write.backfill.pipeline-depth=8",
                    "dual-write.backfill.redis-timeout=3s", "dual-write.backfill.attempts=2",
                    "dual-write.backfill.retry-backoff=100ms", "dual-write.backfill.progress-interval=1s",
                    "dual-write.backfill.require-dual=false", "dual-write.backfill.mode=CATCH_UP")
            .run((context) -> assertThat(context.getBean(Backfill.class).defaults())
                .isEqualTo(new BackfillOptions("widget:*", 100, 3, 250, true, true, false, 50, 8,
                        Duration.ofSeconds(3), 2, Duration.ofMillis(100), Duration.ofSeconds(1), false,
                        BackfillMode.CATCH_UP)));
    }

    @Test
    void partitionedRunsAreOffByDefaultAndTurnedOnWithTheirLease() {
        this.contextRunner
            .withPropertyValues("dual-write.backfill.partitioned=true", "dual-write.backfill.lease=45s")
            .run((context) -> assertThat(context.getBean(Backfill.class).defaults())
                .isEqualTo(BackfillOptions.DEFAULTS.withPartitioned(true).withLease(Duration.ofSeconds(45))));
        assertThat(BackfillOptions.DEFAULTS.partitioned()).isFalse();
        assertThat(BackfillOptions.DEFAULTS.lease()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void metersOfEveryPairedRepositoryAreRegisteredInTheApplicationsRegistryAtStartup() {
        this.contextRunner.withUserConfiguration(Meters.class).run((context) -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get(BackfillMetrics.ROWS_READ).tag("repository", Widget.TABLE).counter().count())
                .isZero();
            assertThat(meters.get(BackfillMetrics.PROGRESS).tag("repository", Widget.TABLE).gauge().value())
                .isZero();
            assertThat(meters.get(BackfillMetrics.RUNNING).tag("repository", Widget.TABLE).gauge().value())
                .isZero();
        });
    }

    @Test
    void exitAfterRunFalseKeepsTheProcessAliveAfterAOneShotRun() {
        this.contextRunner.withPropertyValues("dual-write.backfill.exit-after-run=false")
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(BackfillRunner.class)
                .doesNotHaveBean(BackfillRunner.Exit.class));
    }

    @Test
    void userBeansMakeOursBackOff() {
        this.contextRunner.withUserConfiguration(OwnBackfill.class).run((context) -> {
            assertThat(context).hasNotFailed()
                .hasSingleBean(Backfill.class)
                .hasSingleBean(BackfillRunner.class)
                .hasSingleBean(BackfillRunner.Exit.class);
            OwnBackfill own = context.getBean(OwnBackfill.class);
            assertThat(context.getBean(Backfill.class)).isSameAs(own.backfill);
            assertThat(context.getBean(BackfillRunner.class)).isSameAs(own.runner);
            assertThat(context.getBean(BackfillRunner.Exit.class)).isSameAs(own.exit);
        });
    }

    @Test
    void noBackfillWithoutLettuce() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(RedisClient.class))
            .run((context) -> assertThat(context).doesNotHaveBean(Backfill.class)
                .doesNotHaveBean(BackfillRunner.class));
    }

    @Test
    void noBackfillWithoutDualWrite() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DualWriteBackfillAutoConfiguration.class))
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(Backfill.class)
                .doesNotHaveBean(BackfillRunner.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class Meters {

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBackfill {

        private Backfill backfill;

        private BackfillRunner runner;

        private final BackfillRunner.Exit exit = (status) -> {
        };

        @Bean
        Backfill ownBackfill(DataSource dataSource) {
            this.backfill = new Backfill(List.of(), dataSource, new BackfillMetrics(new SimpleMeterRegistry()),
                    Map.of(), (repository) -> WriteStrategy.DUAL, BackfillOptions.DEFAULTS);
            return this.backfill;
        }

        @Bean
        BackfillRunner ownBackfillRunner(Backfill backfill) {
            this.runner = new BackfillRunner(backfill, new BackfillProperties(), this.exit);
            return this.runner;
        }

        @Bean
        BackfillRunner.Exit ownBackfillExit() {
            return this.exit;
        }

    }

}
