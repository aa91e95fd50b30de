package dev.dualwrite.autoconfigure.metrics;

import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.WidgetHost;
import dev.dualwrite.autoconfigure.fixtures.widget.Widget;
import dev.dualwrite.core.control.StageMetrics;
import dev.dualwrite.core.metrics.DualWriteMetrics;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.testsupport.TestSchema;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DualWriteMetricsAutoConfiguration}, against the real servers. What each
 * meter counts is in {@code DualWriteMetricsTests}.
 */
class DualWriteMetricsAutoConfigurationTests {

    private static final TestSchema schema = TestSchema.create(DualWriteMetricsAutoConfigurationTests.class);

    private final ApplicationContextRunner contextRunner = WidgetHost.on(schema)
        .withConfiguration(AutoConfigurations.of(DualWriteMetricsAutoConfiguration.class));

    @AfterAll
    static void dropSchemaAndKeys() {
        schema.close();
        FixtureStores.deleteRedisKeys();
    }

    @Test
    void withAMeterRegistryTheWriteAndStageMetersGoToIt() {
        this.contextRunner.withUserConfiguration(Meters.class).run((context) -> {
            assertThat(context).hasNotFailed().hasSingleBean(DualWriteMetrics.class).hasSingleBean(StageMetrics.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            // Ours, not the main auto-configuration's, which drops every meter.
            assertThat(context.getBean(DualWriteMetrics.class)).extracting("registry").isSameAs(registry);
            assertThat(registry.get(DualWriteMetrics.REPAIR_PENDING)
                .tags("repository", Widget.TABLE, "store", "postgres")
                .gauge()
                .value()).isZero();
            // The stage meters are told of the stage the control plane applied at startup.
            assertThat(registry.get(StageMetrics.STAGE).tag("repository", Widget.TABLE).gauge().value())
                .isEqualTo(WriteStrategy.REDIS_PRIMARY.ordinal());
        });
    }

    @Test
    void userBeansMakeOursBackOff() {
        this.contextRunner.withUserConfiguration(Meters.class, OwnMetrics.class).run((context) -> {
            assertThat(context).hasNotFailed().hasSingleBean(DualWriteMetrics.class).hasSingleBean(StageMetrics.class);
            OwnMetrics own = context.getBean(OwnMetrics.class);
            assertThat(context.getBean(DualWriteMetrics.class)).isSameAs(own.metrics);
            assertThat(context.getBean(StageMetrics.class)).isSameAs(own.stageMetrics);
            // Our meters went to the user's registry, not the application's.
            assertThat(own.registry.find(StageMetrics.STAGE).tag("repository", Widget.TABLE).gauge()).isNotNull();
            assertThat(context.getBean(MeterRegistry.class).find(StageMetrics.STAGE).gauges()).isEmpty();
        });
    }

    @Test
    void withoutAMeterRegistryThereAreNoStageMetersAndWriteMetersAreDropped() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(StageMetrics.class).doesNotHaveBean(MeterRegistry.class);
            // The main auto-configuration's, on a composite of no registries: nothing is published.
            assertThat(context).hasSingleBean(DualWriteMetrics.class);
            assertThat(context.getBean(DualWriteMetrics.class)).extracting("registry")
                .isInstanceOfSatisfying(CompositeMeterRegistry.class,
                        (registry) -> assertThat(registry.getRegistries()).isEmpty());
        });
    }

    @Test
    void withoutBootsMetricsSupportOnTheClasspathItBacksOff() {
        this.contextRunner.withUserConfiguration(Meters.class)
            .withClassLoader(new FilteredClassLoader(MetricsAutoConfiguration.class))
            .run((context) -> {
                assertThat(context).hasNotFailed().doesNotHaveBean(StageMetrics.class);
                assertThat(context.getBean(DualWriteMetrics.class)).extracting("registry")
                    .isNotSameAs(context.getBean(MeterRegistry.class));
            });
    }

    @Configuration(proxyBeanMethods = false)
    static class Meters {

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnMetrics {

        private final MeterRegistry registry = new SimpleMeterRegistry();

        private final DualWriteMetrics metrics = new DualWriteMetrics(this.registry);

        private final StageMetrics stageMetrics = new StageMetrics(this.registry);

        @Bean
        DualWriteMetrics ownDualWriteMetrics() {
            return this.metrics;
        }

        @Bean
        StageMetrics ownStageMetrics() {
            return this.stageMetrics;
        }

    }

}
