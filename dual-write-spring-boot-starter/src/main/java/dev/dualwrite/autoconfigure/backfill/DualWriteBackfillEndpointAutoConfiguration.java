package dev.dualwrite.autoconfigure.backfill;

import dev.dualwrite.core.backfill.Backfill;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code dualwritebackfill} actuator endpoint.
 */
@AutoConfiguration(after = DualWriteBackfillAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(Backfill.class)
@ConditionalOnAvailableEndpoint(BackfillEndpoint.class)
public final class DualWriteBackfillEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    BackfillEndpoint dualWriteBackfillEndpoint(Backfill backfill) {
        return new BackfillEndpoint(backfill);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(BackfillEndpoint.class)
    @ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
    BackfillEndpointWebExtension dualWriteBackfillEndpointWebExtension(BackfillEndpoint endpoint) {
        return new BackfillEndpointWebExtension(endpoint);
    }

}
