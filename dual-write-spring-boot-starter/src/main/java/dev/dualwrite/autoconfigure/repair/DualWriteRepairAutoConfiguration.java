package dev.dualwrite.autoconfigure.repair;

import dev.dualwrite.autoconfigure.DualWriteAutoConfiguration;
import dev.dualwrite.autoconfigure.InstanceNames;
import dev.dualwrite.autoconfigure.properties.DualWriteRepairProperties;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.control.ControlPlane;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RoutingOldStoreRepairLog;
import dev.dualwrite.core.repair.RepairLogs;
import dev.dualwrite.core.repair.reconcile.RepairMetrics;
import dev.dualwrite.core.repair.reconcile.RepairReconciler;
import dev.dualwrite.core.repair.reconcile.RepairSettings;
import dev.dualwrite.core.routing.WriteCoordinator;
import dev.dualwrite.core.strategy.StrategySource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the reconciler: drains the repair records of both logs in the
 * background ({@code dual-write.repair.*}), and publishes {@code dualwrite.repair.oldest.age},
 * {@code dualwrite.repair.repaired} and {@code dualwrite.repair.failed}.
 */
@AutoConfiguration(after = { DualWriteAutoConfiguration.class, MetricsAutoConfiguration.class,
        CompositeMeterRegistryAutoConfiguration.class })
@ConditionalOnBean({ DualRepositoryRegistry.class, WriteCoordinator.class })
@EnableConfigurationProperties(DualWriteRepairProperties.class)
public final class DualWriteRepairAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RepairMetrics dualWriteRepairMetrics(ObjectProvider<MeterRegistry> meterRegistry, RoutingOldStoreRepairLog oldStoreRepairLog,
            PostgresRepairLog postgresRepairLog, DualWriteRepairProperties properties) {
        // No meter registry in the application: meters go to an empty composite, which drops them.
        MeterRegistry registry = meterRegistry.getIfUnique(CompositeMeterRegistry::new);
        return new RepairMetrics(registry, RepairLogs.byStoreToRepair(oldStoreRepairLog, postgresRepairLog),
                properties.getOldestAgeCacheFor());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    RepairReconciler dualWriteRepairReconciler(DualRepositoryRegistry registry, StrategySource strategies,
            WriteCoordinator writes, RoutingOldStoreRepairLog oldStoreRepairLog, PostgresRepairLog postgresRepairLog,
            RepairMetrics metrics, DualWriteRepairProperties properties) {
        RepairSettings settings = new RepairSettings(properties.getInterval(), properties.getBatchSize(),
                properties.getLease(), properties.getMinAge(), properties.getInitialBackoff(),
                properties.getMaxBackoff());
        String owner = (properties.getInstanceId() != null) ? properties.getInstanceId()
                : (strategies instanceof ControlPlane controlPlane) ? controlPlane.instanceId()
                        : InstanceNames.generate(InstanceNames.host());
        return new RepairReconciler(registry::all, strategies, writes,
                RepairLogs.byStoreToRepair(oldStoreRepairLog, postgresRepairLog),
                settings, metrics, owner);
    }

    @Bean
    @ConditionalOnMissingBean
    RepairReconcilerLifecycle dualWriteRepairReconcilerLifecycle(RepairReconciler reconciler,
            DualRepositoryRegistry registry, RepairMetrics metrics, DualWriteRepairProperties properties) {
        return new RepairReconcilerLifecycle(reconciler, registry, metrics, properties.isEnabled());
    }

}
