package dev.dualwrite.autoconfigure;

import dev.dualwrite.autoconfigure.metrics.DualWriteMetricsAutoConfiguration;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.WidgetHost;
import dev.dualwrite.autoconfigure.fixtures.OtherInstance;
import dev.dualwrite.autoconfigure.fixtures.widget.Widget;
import dev.dualwrite.autoconfigure.fixtures.widget.redis.WidgetRepository;
import dev.dualwrite.core.control.ControlPlane;
import dev.dualwrite.core.control.StageMetrics;
import dev.dualwrite.core.control.StageMove;
import dev.dualwrite.core.metrics.DualWriteMetrics;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.testsupport.TestSchema;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the meters {@link DualWriteAutoConfiguration} registers in the application's
 * {@link MeterRegistry}, against the real servers.
 */
class DualWriteMetricsTests {

    private static final String WIDGETS = Widget.TABLE;

    private TestSchema schema;

    private ApplicationContextRunner contextRunner;

    @BeforeEach
    void createSchema() {
        this.schema = TestSchema.create(DualWriteMetricsTests.class);
        this.contextRunner = WidgetHost.on(this.schema)
            .withConfiguration(AutoConfigurations.of(DualWriteMetricsAutoConfiguration.class))
            .withUserConfiguration(MeterRegistryConfiguration.class);
    }

    @AfterEach
    void dropSchemaAndKeys() {
        this.schema.close();
        FixtureStores.deleteRedisKeys();
    }

    @Test
    void everyDocumentedMeterIsRegisteredWithZeroForEachPairedRepository() {
        this.contextRunner.run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(context.getBean(DualWriteMetrics.class)).extracting("registry").isSameAs(registry);
            for (String store : List.of("redis", "postgres")) {
                for (String operation : List.of("save", "delete")) {
                    for (String outcome : List.of("success", "failure")) {
                        assertThat(registry.get(DualWriteMetrics.WRITES)
                            .tags("repository", WIDGETS, "store", store, "operation", operation, "outcome", outcome)
                            .timer()
                            .count()).isZero();
                    }
                }
                for (String outcome : List.of("success", "failure")) {
                    assertThat(registry.get(DualWriteMetrics.READS)
                        .tags("repository", WIDGETS, "store", store, "outcome", outcome)
                        .timer()
                        .count()).isZero();
                }
                for (String reason : List.of("error", "timeout", "circuit_open", "rejected")) {
                    assertThat(registry.get(DualWriteMetrics.SECONDARY_FAILURES)
                        .tags("repository", WIDGETS, "store", store, "reason", reason)
                        .counter()
                        .count()).isZero();
                }
                assertThat(registry.get(DualWriteMetrics.REPAIR_PENDING)
                    .tags("repository", WIDGETS, "store", store)
                    .gauge()
                    .value()).isZero();
            }
            for (String outcome : List.of("match", "mismatch", "error", "dropped")) {
                assertThat(registry.get(DualWriteMetrics.SHADOW_READS)
                    .tags("repository", WIDGETS, "method", "findById", "outcome", outcome)
                    .counter()
                    .count()).isZero();
            }
            assertThat(stage(registry)).isEqualTo(WriteStrategy.REDIS_PRIMARY.ordinal());
            assertThat(epoch(registry)).isEqualTo(1);
            assertThat(stageChanges(registry)).isZero();
            // 8 write timers, 4 read timers, 8 failure counters, 2 fallback counters, 2 pending
            // gauges and 3 stage meters, plus 4 shadow-read counters per read method: nothing else.
            List<Meter> meters = registry.getMeters()
                .stream()
                .filter((meter) -> meter.getId().getName().startsWith("dualwrite."))
                .filter((meter) -> !meter.getId().getName().equals(DualWriteMetrics.SHADOW_READS))
                .toList();
            assertThat(meters).hasSize(27)
                .allSatisfy((meter) -> assertThat(meter.getId().getTag("repository")).isEqualTo(WIDGETS));
        });
    }

    @Test
    void dualSaveCountsASuccessfulWriteToEachStore() {
        this.contextRunner.withPropertyValues("dual-write.strategy=DUAL").run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            WidgetRepository widgets = context.getBean(WidgetRepository.class);
            String id = UUID.randomUUID().toString();
            widgets.save(new Widget(id, "metered", 1));
            assertThat(writes(registry, "redis", "save", "success")).isEqualTo(1);
            assertThat(writes(registry, "postgres", "save", "success")).isEqualTo(1);
            assertThat(writes(registry, "redis", "save", "failure")).isZero();
            assertThat(writes(registry, "postgres", "save", "failure")).isZero();
            assertThat(widgets.findById(id)).isPresent();
            assertThat(registry.get(DualWriteMetrics.READS)
                .tags(Tags.of(Tag.of("repository", WIDGETS), Tag.of("store", "redis"), Tag.of("outcome", "success")))
                .timer()
                .count()).isEqualTo(1);
            assertThat(registry.get(DualWriteMetrics.SECONDARY_FAILURES).counters())
                .allSatisfy((counter) -> assertThat(counter.count()).isZero());
        });
    }

    @Test
    void secondaryFailureIsCountedAndShowsAsPendingRepair() {
        // Without the host's migrations the PostgreSQL table is missing: the secondary write fails.
        this.contextRunner.withPropertyValues("dual-write.strategy=DUAL", "spring.flyway.enabled=false")
            .run((context) -> {
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                double pendingBefore = registry.get(DualWriteMetrics.REPAIR_PENDING)
                    .tags("repository", WIDGETS, "store", "postgres")
                    .gauge()
                    .value();
                context.getBean(WidgetRepository.class).save(new Widget(UUID.randomUUID().toString(), "unrepaired", 1));
                assertThat(writes(registry, "redis", "save", "success")).isEqualTo(1);
                assertThat(writes(registry, "postgres", "save", "failure")).isEqualTo(1);
                assertThat(registry.get(DualWriteMetrics.SECONDARY_FAILURES)
                    .tags("repository", WIDGETS, "store", "postgres", "reason", "error")
                    .counter()
                    .count()).isEqualTo(1);
                assertThat(registry.get(DualWriteMetrics.REPAIR_PENDING)
                    .tags("repository", WIDGETS, "store", "postgres")
                    .gauge()
                    .value()).isEqualTo(pendingBefore + 1);
            });
    }

    @Test
    void stageGaugeFollowsAMoveAndTheChangeIsCounted() {
        this.contextRunner.run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            // Forced: this test is about the meters, not the conditions of the move.
            context.getBean(ControlPlane.class).change(WIDGETS, WriteStrategy.DUAL, true);
            assertThat(stage(registry)).isEqualTo(WriteStrategy.DUAL.ordinal());
            assertThat(epoch(registry)).isEqualTo(2);
            assertThat(stageChanges(registry)).isEqualTo(1);
        });
    }

    @Test
    void aMoveMadeOnAnotherInstanceIsCountedWhenThisInstanceAppliesIt() {
        this.contextRunner.withPropertyValues("dual-write.control.poll-interval=100ms").run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            try (ControlPlane other = OtherInstance.controlPlane(context)) {
                other.register(WIDGETS, WriteStrategy.REDIS_PRIMARY);
                other.move(StageMove.of(WIDGETS, WriteStrategy.DUAL, "operator", "moved on the other instance"));
            }
            // Applied here by the poll, not by a move made here.
            await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(stage(registry)).isEqualTo(WriteStrategy.DUAL.ordinal()));
            assertThat(epoch(registry)).isEqualTo(2);
            assertThat(stageChanges(registry)).isEqualTo(1);
        });
    }

    private static double stage(MeterRegistry registry) {
        return registry.get(StageMetrics.STAGE).tags("repository", WIDGETS).gauge().value();
    }

    private static double epoch(MeterRegistry registry) {
        return registry.get(StageMetrics.EPOCH).tags("repository", WIDGETS).gauge().value();
    }

    private static double stageChanges(MeterRegistry registry) {
        return registry.get(StageMetrics.CHANGES).tags("repository", WIDGETS).counter().count();
    }

    private static long writes(MeterRegistry registry, String store, String operation, String outcome) {
        return registry.get(DualWriteMetrics.WRITES)
            .tags("repository", WIDGETS, "store", store, "operation", operation, "outcome", outcome)
            .timer()
            .count();
    }

    @Configuration(proxyBeanMethods = false)
    static class MeterRegistryConfiguration {

        @Bean
        SimpleMeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

    }

}
