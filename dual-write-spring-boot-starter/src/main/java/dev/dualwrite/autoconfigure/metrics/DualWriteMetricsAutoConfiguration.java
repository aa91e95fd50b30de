package dev.dualwrite.autoconfigure.metrics;

import dev.dualwrite.autoconfigure.DualWriteAutoConfiguration;
import dev.dualwrite.core.control.StageMetrics;
import dev.dualwrite.core.metrics.DualWriteMetrics;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Publishes dual-write's meters ({@code dualwrite.*}) to the application's
 * {@link MeterRegistry}, the stage meters included ({@link StageMetrics}, told of every stage
 * the control plane applies). Switch them off as any other meters, with
 * {@code management.metrics.enable.dualwrite=false}.
 */
@AutoConfiguration(after = { MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class },
        before = DualWriteAutoConfiguration.class)
@ConditionalOnClass({ MeterRegistry.class, MetricsAutoConfiguration.class })
@ConditionalOnBean(MeterRegistry.class)
public final class DualWriteMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    DualWriteMetrics dualWriteMetrics(MeterRegistry meterRegistry) {
        return new DualWriteMetrics(meterRegistry);
    }

    // A StageListener bean: the control plane adds every one before repositories register.
    @Bean
    @ConditionalOnMissingBean
    StageMetrics dualWriteStageMetrics(MeterRegistry meterRegistry) {
        return new StageMetrics(meterRegistry);
    }

}
