package dev.dualwrite.autoconfigure.endpoint;


import dev.dualwrite.autoconfigure.DualWriteAutoConfiguration;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RoutingOldStoreRepairLog;
import dev.dualwrite.core.repair.RepairLogs;
import dev.dualwrite.core.routing.ReadRoutingSource;
import dev.dualwrite.core.routing.ShadowReads;
import dev.dualwrite.core.control.ControlPlane;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code dualwrite} actuator endpoint.
 */
@AutoConfiguration(after = DualWriteAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(DualRepositoryRegistry.class)
@ConditionalOnAvailableEndpoint(DualWriteEndpoint.class)
public final class DualWriteEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(ControlPlane.class)
    DualWriteEndpoint dualWriteEndpoint(DualRepositoryRegistry registry, ControlPlane controlPlane,
            RoutingOldStoreRepairLog oldStoreRepairLog, PostgresRepairLog postgresRepairLog, ReadRoutingSource readRoutings,
            ShadowReads shadowReads) {
        return new DualWriteEndpoint(registry, controlPlane,
                RepairLogs.byStoreToRepair(oldStoreRepairLog, postgresRepairLog), readRoutings, shadowReads);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(DualWriteEndpoint.class)
    @ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
    DualWriteEndpointWebExtension dualWriteEndpointWebExtension(DualWriteEndpoint endpoint) {
        return new DualWriteEndpointWebExtension(endpoint);
    }

}
