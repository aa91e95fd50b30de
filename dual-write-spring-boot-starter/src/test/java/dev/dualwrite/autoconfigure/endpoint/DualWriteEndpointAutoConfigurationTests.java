package dev.dualwrite.autoconfigure.endpoint;

import dev.dualwrite.autoconfigure.DualWriteAutoConfiguration;
import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.widget.jdbc.WidgetRowRepository;
import dev.dualwrite.autoconfigure.fixtures.widget.redis.WidgetRepository;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.jdbc.autoconfigure.DataJdbcRepositoriesAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
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

    @Configuration(proxyBeanMethods = false)
    @EnableRedisRepositories(basePackageClasses = WidgetRepository.class)
    @EnableJdbcRepositories(basePackageClasses = WidgetRowRepository.class)
    static class WidgetRepositories {

    }

}
