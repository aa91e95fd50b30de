package dev.dualwrite.autoconfigure.inventory;

import dev.dualwrite.core.inventory.Inventory;
import dev.dualwrite.core.inventory.InventoryRuns;
import dev.dualwrite.core.ledger.Ledger;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code dualwriteinventory} actuator endpoint and the background
 * runs it starts.
 */
@AutoConfiguration(after = DualWriteInventoryAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(Inventory.class)
@ConditionalOnAvailableEndpoint(DualWriteInventoryEndpoint.class)
public final class DualWriteInventoryEndpointAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    InventoryRuns dualWriteInventoryRuns(Inventory inventory, ObjectProvider<Ledger> ledger) {
        return new InventoryRuns(inventory, ledger.getIfUnique());
    }

    @Bean
    @ConditionalOnMissingBean
    DualWriteInventoryEndpoint dualWriteInventoryEndpoint(Inventory inventory, InventoryRuns runs) {
        return new DualWriteInventoryEndpoint(inventory, runs);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(DualWriteInventoryEndpoint.class)
    @ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
    DualWriteInventoryEndpointWebExtension dualWriteInventoryEndpointWebExtension(
            DualWriteInventoryEndpoint endpoint) {
        return new DualWriteInventoryEndpointWebExtension(endpoint);
    }

}
