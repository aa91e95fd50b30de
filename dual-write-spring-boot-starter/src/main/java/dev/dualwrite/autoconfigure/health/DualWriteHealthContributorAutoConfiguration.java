package dev.dualwrite.autoconfigure.health;

import dev.dualwrite.autoconfigure.DualWriteAutoConfiguration;
import dev.dualwrite.autoconfigure.properties.DualWriteProperties;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.control.ControlPlane;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RoutingOldStoreRepairLog;
import dev.dualwrite.core.verify.BackgroundVerifier;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code dualwrite} health indicator
 * ({@link DualWriteHealthIndicator}), when the actuator's health support is present and
 * stages are shared through the {@link ControlPlane}. Switch it off with
 * {@code management.health.dualwrite.enabled=false}; a bean named
 * {@code dualwriteHealthIndicator} replaces it.
 */
@AutoConfiguration(after = DualWriteAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean({ ControlPlane.class, DualRepositoryRegistry.class })
@ConditionalOnEnabledHealthIndicator("dualwrite")
@EnableConfigurationProperties(DualWriteHealthProperties.class)
public final class DualWriteHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = { "dualwriteHealthIndicator", "dualwriteHealthContributor" })
    DualWriteHealthIndicator dualwriteHealthIndicator(ControlPlane controlPlane, DualRepositoryRegistry registry,
            RoutingOldStoreRepairLog oldStoreRepairLog, PostgresRepairLog postgresRepairLog, DualWriteProperties properties,
            DualWriteHealthProperties health, ObjectProvider<BackgroundVerifier> backgroundVerifier) {
        RepositoryHealthCheck check = new RepositoryHealthCheck(controlPlane, oldStoreRepairLog, postgresRepairLog, health,
                properties.getControl().getInFlightGrace(), backgroundVerifier::getIfAvailable);
        return new DualWriteHealthIndicator(() -> registry.all().stream().map(DualRepository::name).toList(), check,
                controlPlane.instanceId(), health.getCacheFor());
    }

}
