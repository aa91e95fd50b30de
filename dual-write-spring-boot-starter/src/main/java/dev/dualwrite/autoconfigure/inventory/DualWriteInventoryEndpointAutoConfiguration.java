package dev.dualwrite.autoconfigure.inventory;

import dev.dualwrite.core.inventory.Inventory;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the read-only {@code dualwriteinventory} actuator endpoint.
 */
@AutoConfiguration(after = DualWriteInventoryAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(Inventory.class)
@ConditionalOnAvailableEndpoint(DualWriteInventoryEndpoint.class)
public final class DualWriteInventoryEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    DualWriteInventoryEndpoint dualWriteInventoryEndpoint(Inventory inventory) {
        return new DualWriteInventoryEndpoint(inventory);
    }

}
