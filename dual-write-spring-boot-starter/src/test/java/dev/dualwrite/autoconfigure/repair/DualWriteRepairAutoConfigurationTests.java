package dev.dualwrite.autoconfigure.repair;

import java.time.Duration;

import javax.sql.DataSource;

import dev.dualwrite.autoconfigure.DualWriteAutoConfiguration;
import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.WidgetHost;
import dev.dualwrite.autoconfigure.fixtures.widget.Widget;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.control.ControlPlane;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.repair.RepairLogs;
import dev.dualwrite.core.repair.reconcile.RepairMetrics;
import dev.dualwrite.core.repair.reconcile.RepairReconciler;
import dev.dualwrite.core.repair.reconcile.RepairSettings;
import dev.dualwrite.core.routing.WriteCoordinator;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.testsupport.TestSchema;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.jdbc.autoconfigure.DataJdbcRepositoriesAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DualWriteRepairAutoConfiguration}, against the real servers. What the
 * reconciler repairs is in {@code RepairReconcilerTests}.
 */
class DualWriteRepairAutoConfigurationTests {

    private static final TestSchema schema = TestSchema.create(DualWriteRepairAutoConfigurationTests.class);

    private final ApplicationContextRunner contextRunner = WidgetHost.on(schema)
        .withConfiguration(AutoConfigurations.of(DualWriteRepairAutoConfiguration.class));

    @AfterAll
    static void dropSchemaAndKeys() {
        schema.close();
        FixtureStores.deleteRedisKeys();
    }

    @Test
    void byDefaultTheReconcilerDrainsInTheBackgroundUnderTheControlPlanesInstanceName() {
        this.contextRunner.withUserConfiguration(Meters.class).run((context) -> {
            assertThat(context).hasNotFailed()
                .hasSingleBean(RepairMetrics.class)
                .hasSingleBean(RepairReconciler.class)
                .hasSingleBean(RepairReconcilerLifecycle.class);
            RepairReconciler reconciler = context.getBean(RepairReconciler.class);
            assertThat(context.getBean(RepairReconcilerLifecycle.class).isRunning()).isTrue();
            assertThat(reconciler.isRunning()).isTrue();
            assertThat(reconciler).extracting("owner").isEqualTo(context.getBean(ControlPlane.class).instanceId());
            assertThat(reconciler).extracting("settings").isEqualTo(RepairSettings.defaults());
            // Meters of every paired repository, in the application's registry, from the start.
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get(RepairMetrics.REPAIRED).tag("repository", Widget.TABLE).counters()).isNotEmpty()
                .allSatisfy((counter) -> assertThat(counter.count()).isZero());
            assertThat(meters.get(RepairMetrics.OLDEST_AGE).tag("repository", Widget.TABLE).gauges()).isNotEmpty();
        });
    }

    @Test
    void propertiesSetTheReconcilersRhythmAndName() {
        this.contextRunner
            .withPropertyValues("dual-write.repair.interval=2s", "dual-write.repair.batch-size=10",
                    "dual-write.repair.lease=30s", "dual-write.repair.min-age=1s",
                    "dual-write.repair.initial-backoff=200ms", "dual-write.repair.max-backoff=1m",
                    "dual-write.repair.instance-id=repairer-1")
            .run((context) -> {
                RepairReconciler reconciler = context.getBean(RepairReconciler.class);
                assertThat(reconciler).extracting("settings")
                    .isEqualTo(new RepairSettings(Duration.ofSeconds(2), 10, Duration.ofSeconds(30),
                            Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofMinutes(1)));
                assertThat(reconciler).extracting("owner").isEqualTo("repairer-1");
            });
    }

    @Test
    void enabledFalseKeepsTheMetersButDrainsNothingInTheBackground() {
        this.contextRunner.withUserConfiguration(Meters.class)
            .withPropertyValues("dual-write.repair.enabled=false")
            .run((context) -> {
                assertThat(context).hasNotFailed().hasSingleBean(RepairReconciler.class);
                assertThat(context.getBean(RepairReconciler.class).isRunning()).isFalse();
                assertThat(context.getBean(MeterRegistry.class)
                    .get(RepairMetrics.OLDEST_AGE)
                    .tag("repository", Widget.TABLE)
                    .gauges()).isNotEmpty();
            });
    }

    @Test
    void userBeansMakeOursBackOff() {
        this.contextRunner.withUserConfiguration(OwnRepair.class).run((context) -> {
            assertThat(context).hasNotFailed()
                .hasSingleBean(RepairMetrics.class)
                .hasSingleBean(RepairReconciler.class)
                .hasSingleBean(RepairReconcilerLifecycle.class);
            OwnRepair own = context.getBean(OwnRepair.class);
            assertThat(context.getBean(RepairMetrics.class)).isSameAs(own.metrics);
            assertThat(context.getBean(RepairReconciler.class)).isSameAs(own.reconciler);
            assertThat(context.getBean(RepairReconcilerLifecycle.class)).isSameAs(own.lifecycle);
        });
    }

    @Test
    void noReconcilerWithoutARedisConnectionFactory() {
        // A host of PostgreSQL only: dual-write stays inactive, so there is nothing to repair.
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    JdbcTemplateAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
                    TransactionAutoConfiguration.class, DataJdbcRepositoriesAutoConfiguration.class,
                    DualWriteAutoConfiguration.class, DualWriteRepairAutoConfiguration.class))
            .withPropertyValues(FixtureStores.properties(schema))
            .withPropertyValues("spring.data.jdbc.repositories.enabled=false")
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(DataSource.class)
                .doesNotHaveBean(WriteCoordinator.class)
                .doesNotHaveBean(RepairReconciler.class)
                .doesNotHaveBean(RepairReconcilerLifecycle.class));
    }

    @Test
    void noReconcilerWithoutDualWrite() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DualWriteRepairAutoConfiguration.class))
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(RepairMetrics.class)
                .doesNotHaveBean(RepairReconciler.class)
                .doesNotHaveBean(RepairReconcilerLifecycle.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class Meters {

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnRepair {

        private RepairMetrics metrics;

        private RepairReconciler reconciler;

        private RepairReconcilerLifecycle lifecycle;

        @Bean
        RepairMetrics ownRepairMetrics(RedisRepairLog redisRepairLog, PostgresRepairLog postgresRepairLog) {
            this.metrics = new RepairMetrics(new SimpleMeterRegistry(),
                    RepairLogs.byStoreToRepair(redisRepairLog, postgresRepairLog), Duration.ofSeconds(1));
            return this.metrics;
        }

        @Bean(destroyMethod = "close")
        RepairReconciler ownRepairReconciler(DualRepositoryRegistry registry, StrategySource strategies,
                WriteCoordinator writes, RedisRepairLog redisRepairLog, PostgresRepairLog postgresRepairLog,
                RepairMetrics metrics) {
            this.reconciler = new RepairReconciler(registry::all, strategies, writes,
                    RepairLogs.byStoreToRepair(redisRepairLog, postgresRepairLog),
                    new RepairSettings(Duration.ofHours(1), 1, Duration.ofMinutes(1), Duration.ZERO,
                            Duration.ofSeconds(1), Duration.ofSeconds(1)),
                    metrics, "own-reconciler");
            return this.reconciler;
        }

        @Bean
        RepairReconcilerLifecycle ownRepairReconcilerLifecycle(RepairReconciler reconciler,
                DualRepositoryRegistry registry, RepairMetrics metrics) {
            this.lifecycle = new RepairReconcilerLifecycle(reconciler, registry, metrics, false);
            return this.lifecycle;
        }

    }

}
