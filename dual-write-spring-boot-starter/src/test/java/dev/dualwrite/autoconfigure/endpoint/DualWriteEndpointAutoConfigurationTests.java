package dev.dualwrite.autoconfigure.endpoint;

import java.util.Map;

import dev.dualwrite.autoconfigure.DualWriteAutoConfiguration;
import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.widget.jdbc.WidgetRowRepository;
import dev.dualwrite.autoconfigure.fixtures.widget.redis.WidgetRepository;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.control.ControlPlane;
import dev.dualwrite.core.routing.ReadRoutingSource;
import dev.dualwrite.core.routing.ShadowReads;
import dev.dualwrite.core.strategy.InMemoryStrategySource;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.jdbc.autoconfigure.DataJdbcRepositoriesAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DualWriteEndpointAutoConfiguration}.
 */
class DualWriteEndpointAutoConfigurationTests {

    private static final TestSchema schema = TestSchema.create(DualWriteEndpointAutoConfigurationTests.class);

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
                DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                DataJdbcRepositoriesAutoConfiguration.class, DataRedisAutoConfiguration.class,
                FlywayAutoConfiguration.class, DualWriteAutoConfiguration.class,
                DualWriteEndpointAutoConfiguration.class))
        .withPropertyValues(FixtureStores.properties(schema))
        .withUserConfiguration(WidgetRepositories.class);

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @Test
    void endpointIsAbsentUnlessExposed() {
        this.contextRunner.run((context) -> assertThat(context).hasNotFailed()
            .doesNotHaveBean(DualWriteEndpoint.class)
            .doesNotHaveBean(DualWriteEndpointWebExtension.class));
    }

    @Test
    void endpointExposedOverHttpComesWithItsWebExtension() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=dualwrite")
            .run((context) -> assertThat(context).hasSingleBean(DualWriteEndpoint.class)
                .hasSingleBean(DualWriteEndpointWebExtension.class));
    }

    @Test
    void endpointExposedOverJmxOnlyHasNoWebExtension() {
        this.contextRunner
            .withPropertyValues("spring.jmx.enabled=true", "management.endpoints.jmx.exposure.include=dualwrite")
            .run((context) -> assertThat(context).hasSingleBean(DualWriteEndpoint.class)
                .doesNotHaveBean(DualWriteEndpointWebExtension.class));
    }

    @Test
    void endpointIsAbsentWithoutDualWrite() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DualWriteEndpointAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=dualwrite")
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(DualWriteEndpoint.class)
                .doesNotHaveBean(DualWriteEndpointWebExtension.class));
    }

    @Test
    void endpointCanBeSwitchedOff() {
        this.contextRunner
            .withPropertyValues("management.endpoints.web.exposure.include=dualwrite",
                    "management.endpoint.dualwrite.access=NONE")
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(DualWriteEndpoint.class)
                .doesNotHaveBean(DualWriteEndpointWebExtension.class));
    }

    @Test
    void userEndpointAndWebExtensionMakeOursBackOff() {
        this.contextRunner.withUserConfiguration(OwnEndpoint.class)
            .withPropertyValues("management.endpoints.web.exposure.include=dualwrite")
            .run((context) -> {
                assertThat(context).hasNotFailed()
                    .hasSingleBean(DualWriteEndpoint.class)
                    .hasSingleBean(DualWriteEndpointWebExtension.class);
                OwnEndpoint own = context.getBean(OwnEndpoint.class);
                assertThat(context.getBean(DualWriteEndpoint.class)).isSameAs(own.endpoint);
                assertThat(context.getBean(DualWriteEndpointWebExtension.class)).isSameAs(own.webExtension);
            });
    }

    @Test
    void endpointIsAbsentWithoutTheControlPlane() {
        // Stages from the user's own source: nothing the endpoint could move or show.
        this.contextRunner.withUserConfiguration(UserStrategySource.class)
            .withPropertyValues("management.endpoints.web.exposure.include=dualwrite")
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(ControlPlane.class)
                .doesNotHaveBean(DualWriteEndpoint.class)
                .doesNotHaveBean(DualWriteEndpointWebExtension.class));
    }

    @Test
    void endpointIsAbsentWithoutTheActuator() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(Endpoint.class))
            .withPropertyValues("management.endpoints.web.exposure.include=dualwrite")
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(ControlPlane.class)
                .doesNotHaveBean(DualWriteEndpoint.class));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisRepositories(basePackageClasses = WidgetRepository.class)
    @EnableJdbcRepositories(basePackageClasses = WidgetRowRepository.class)
    static class WidgetRepositories {

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEndpoint {

        private DualWriteEndpoint endpoint;

        private DualWriteEndpointWebExtension webExtension;

        @Bean
        DualWriteEndpoint ownDualWriteEndpoint(DualRepositoryRegistry registry, ControlPlane controlPlane,
                ReadRoutingSource readRoutings, ShadowReads shadowReads) {
            this.endpoint = new DualWriteEndpoint(registry, controlPlane, Map.of(), readRoutings, shadowReads);
            return this.endpoint;
        }

        @Bean
        DualWriteEndpointWebExtension ownDualWriteEndpointWebExtension(DualWriteEndpoint endpoint) {
            this.webExtension = new DualWriteEndpointWebExtension(endpoint);
            return this.webExtension;
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UserStrategySource {

        @Bean
        StrategySource userStrategySource() {
            return new InMemoryStrategySource(WriteStrategy.DUAL, Map.of());
        }

    }

}
