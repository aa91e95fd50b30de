package dev.dualwrite.autoconfigure.verify;

import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.WidgetHost;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.verify.ReportRepair;
import dev.dualwrite.core.verify.VerificationRuns;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyOptions;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DualWriteVerifyEndpointAutoConfiguration}, against the real servers.
 */
class DualWriteVerifyEndpointAutoConfigurationTests {

    private static final String EXPOSE_OVER_HTTP = "management.endpoints.web.exposure.include=dualwriteverify";

    private static final TestSchema schema = TestSchema.create(DualWriteVerifyEndpointAutoConfigurationTests.class);

    private final ApplicationContextRunner contextRunner = WidgetHost.on(schema)
        .withConfiguration(AutoConfigurations.of(DualWriteVerifyAutoConfiguration.class,
                DualWriteVerifyEndpointAutoConfiguration.class));

    @AfterAll
    static void dropSchemaAndKeys() {
        schema.close();
        FixtureStores.deleteRedisKeys();
    }

    @Test
    void endpointIsAbsentUnlessExposed() {
        this.contextRunner.run((context) -> assertThat(context).hasNotFailed()
            .hasSingleBean(Verifier.class)
            .doesNotHaveBean(VerificationRuns.class)
            .doesNotHaveBean(DualWriteVerifyEndpoint.class)
            .doesNotHaveBean(DualWriteVerifyEndpointWebExtension.class));
    }

    @Test
    void endpointExposedOverHttpComesWithItsRunsAndWebExtensionAndTheConfiguredDefaults() {
        this.contextRunner.withPropertyValues(EXPOSE_OVER_HTTP).run((context) -> {
            assertThat(context).hasSingleBean(VerificationRuns.class)
                .hasSingleBean(DualWriteVerifyEndpoint.class)
                .hasSingleBean(DualWriteVerifyEndpointWebExtension.class);
            assertThat(context.getBean(VerificationRuns.class)).extracting("keep").isEqualTo(10);
            assertThat(context.getBean(DualWriteVerifyEndpoint.class)).extracting("defaults")
                .isEqualTo(DualWriteVerifyAutoConfiguration.options(new DualWriteVerifyProperties()));
            assertThat(context.getBean(DualWriteVerifyEndpoint.class).runs()).isEmpty();
        });
    }

    @Test
    void propertiesSetHowManyReportsAreKeptAndTheDefaultsOfARun() {
        this.contextRunner
            .withPropertyValues(EXPOSE_OVER_HTTP, "dual-write.verify.keep-reports=3", "dual-write.verify.batch-size=200",
                    "dual-write.verify.max-differences=7")
            .run((context) -> {
                assertThat(context.getBean(VerificationRuns.class)).extracting("keep").isEqualTo(3);
                assertThat(context.getBean(DualWriteVerifyEndpoint.class)).extracting("defaults")
                    .isInstanceOfSatisfying(VerifyOptions.class, (defaults) -> {
                        assertThat(defaults.batchSize()).isEqualTo(200);
                        assertThat(defaults.maxDifferences()).isEqualTo(7);
                    });
            });
    }

    @Test
    void endpointExposedOverJmxOnlyHasNoWebExtension() {
        this.contextRunner
            .withPropertyValues("spring.jmx.enabled=true", "management.endpoints.jmx.exposure.include=dualwriteverify")
            .run((context) -> assertThat(context).hasSingleBean(DualWriteVerifyEndpoint.class)
                .doesNotHaveBean(DualWriteVerifyEndpointWebExtension.class));
    }

    @Test
    void endpointCanBeSwitchedOff() {
        this.contextRunner.withPropertyValues(EXPOSE_OVER_HTTP, "management.endpoint.dualwriteverify.access=NONE")
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(VerificationRuns.class)
                .doesNotHaveBean(DualWriteVerifyEndpoint.class));
    }

    @Test
    void userBeansMakeOursBackOff() {
        this.contextRunner.withUserConfiguration(OwnEndpoint.class)
            .withPropertyValues(EXPOSE_OVER_HTTP)
            .run((context) -> {
                assertThat(context).hasNotFailed()
                    .hasSingleBean(VerificationRuns.class)
                    .hasSingleBean(DualWriteVerifyEndpoint.class)
                    .hasSingleBean(DualWriteVerifyEndpointWebExtension.class);
                OwnEndpoint own = context.getBean(OwnEndpoint.class);
                assertThat(context.getBean(VerificationRuns.class)).isSameAs(own.runs);
                assertThat(context.getBean(DualWriteVerifyEndpoint.class)).isSameAs(own.endpoint);
                assertThat(context.getBean(DualWriteVerifyEndpointWebExtension.class)).isSameAs(own.webExtension);
            });
    }

    @Test
    void noEndpointWithoutTheActuator() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(Endpoint.class))
            .withPropertyValues(EXPOSE_OVER_HTTP)
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(Verifier.class)
                .doesNotHaveBean(DualWriteVerifyEndpoint.class));
    }

    @Test
    void noEndpointWithoutDualWrite() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DualWriteVerifyAutoConfiguration.class,
                    DualWriteVerifyEndpointAutoConfiguration.class))
            .withPropertyValues(EXPOSE_OVER_HTTP)
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(Verifier.class)
                .doesNotHaveBean(DualWriteVerifyEndpoint.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEndpoint {

        private VerificationRuns runs;

        private DualWriteVerifyEndpoint endpoint;

        private DualWriteVerifyEndpointWebExtension webExtension;

        @Bean(destroyMethod = "close")
        VerificationRuns ownVerificationRuns(Verifier verifier) {
            this.runs = new VerificationRuns(verifier, 1);
            return this.runs;
        }

        @Bean
        DualWriteVerifyEndpoint ownVerifyEndpoint(DualRepositoryRegistry registry, VerificationRuns runs,
                ReportRepair repair) {
            this.endpoint = new DualWriteVerifyEndpoint(registry, runs, repair, VerifyOptions.full());
            return this.endpoint;
        }

        @Bean
        DualWriteVerifyEndpointWebExtension ownVerifyEndpointWebExtension(DualWriteVerifyEndpoint endpoint) {
            this.webExtension = new DualWriteVerifyEndpointWebExtension(endpoint);
            return this.webExtension;
        }

    }

}
