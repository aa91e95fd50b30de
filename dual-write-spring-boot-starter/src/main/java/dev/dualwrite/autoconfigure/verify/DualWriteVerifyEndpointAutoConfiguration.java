package dev.dualwrite.autoconfigure.verify;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.verify.ReportRepair;
import dev.dualwrite.core.verify.VerificationRuns;
import dev.dualwrite.core.verify.Verifier;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code dualwriteverify} actuator endpoint.
 */
@AutoConfiguration(after = DualWriteVerifyAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean({ Verifier.class, ReportRepair.class })
@ConditionalOnAvailableEndpoint(DualWriteVerifyEndpoint.class)
public final class DualWriteVerifyEndpointAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    VerificationRuns dualWriteVerificationRuns(Verifier verifier, DualWriteVerifyProperties properties) {
        return new VerificationRuns(verifier, properties.getKeepReports());
    }

    @Bean
    @ConditionalOnMissingBean
    DualWriteVerifyEndpoint dualWriteVerifyEndpoint(DualRepositoryRegistry registry, VerificationRuns runs,
            ReportRepair repair, DualWriteVerifyProperties properties) {
        return new DualWriteVerifyEndpoint(registry, runs, repair, DualWriteVerifyAutoConfiguration.options(properties));
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(DualWriteVerifyEndpoint.class)
    @ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
    DualWriteVerifyEndpointWebExtension dualWriteVerifyEndpointWebExtension(DualWriteVerifyEndpoint endpoint) {
        return new DualWriteVerifyEndpointWebExtension(endpoint);
    }

}
