package dev.dualwrite.autoconfigure.backfill;

import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.WidgetHost;
import dev.dualwrite.autoconfigure.fixtures.widget.Widget;
import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.testsupport.TestSchema;
import io.lettuce.core.RedisClient;
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
 * Tests for {@link DualWriteBackfillEndpointAutoConfiguration}, against the real servers.
 */
class DualWriteBackfillEndpointAutoConfigurationTests {

    private static final String EXPOSE_OVER_HTTP = "management.endpoints.web.exposure.include=dualwritebackfill";

    private static final TestSchema schema = TestSchema.create(DualWriteBackfillEndpointAutoConfigurationTests.class);

    private final ApplicationContextRunner contextRunner = WidgetHost.on(schema)
        .withConfiguration(AutoConfigurations.of(DualWriteBackfillAutoConfiguration.class,
                DualWriteBackfillEndpointAutoConfiguration.class));

    @AfterAll
    static void dropSchemaAndKeys() {
        schema.close();
        FixtureStores.deleteRedisKeys();
    }

    @Test
    void endpointIsAbsentUnlessExposed() {
        this.contextRunner.run((context) -> assertThat(context).hasNotFailed()
            .hasSingleBean(Backfill.class)
            .doesNotHaveBean(BackfillEndpoint.class)
            .doesNotHaveBean(BackfillEndpointWebExtension.class));
    }

    @Test
    void endpointExposedOverHttpComesWithItsWebExtensionOverTheApplicationsBackfill() {
        this.contextRunner.withPropertyValues(EXPOSE_OVER_HTTP).run((context) -> {
            assertThat(context).hasSingleBean(BackfillEndpoint.class).hasSingleBean(BackfillEndpointWebExtension.class);
            // It serves the application's backfill: its paired repository, and no job yet.
            BackfillEndpoint endpoint = context.getBean(BackfillEndpoint.class);
            assertThat(endpoint.status().checkpoints()).containsOnlyKeys(Widget.TABLE);
            assertThat(endpoint.status().job()).isNull();
        });
    }

    @Test
    void endpointExposedOverJmxOnlyHasNoWebExtension() {
        this.contextRunner
            .withPropertyValues("spring.jmx.enabled=true", "management.endpoints.jmx.exposure.include=dualwritebackfill")
            .run((context) -> assertThat(context).hasSingleBean(BackfillEndpoint.class)
                .doesNotHaveBean(BackfillEndpointWebExtension.class));
    }

    @Test
    void endpointCanBeSwitchedOff() {
        this.contextRunner.withPropertyValues(EXPOSE_OVER_HTTP, "management.endpoint.dualwritebackfill.access=NONE")
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(BackfillEndpoint.class)
                .doesNotHaveBean(BackfillEndpointWebExtension.class));
    }

    @Test
    void userEndpointAndWebExtensionMakeOursBackOff() {
        this.contextRunner.withUserConfiguration(OwnEndpoint.class)
            .withPropertyValues(EXPOSE_OVER_HTTP)
            .run((context) -> {
                assertThat(context).hasNotFailed()
                    .hasSingleBean(BackfillEndpoint.class)
                    .hasSingleBean(BackfillEndpointWebExtension.class);
                OwnEndpoint own = context.getBean(OwnEndpoint.class);
                assertThat(context.getBean(BackfillEndpoint.class)).isSameAs(own.endpoint);
                assertThat(context.getBean(BackfillEndpointWebExtension.class)).isSameAs(own.webExtension);
            });
    }

    @Test
    void noEndpointWithoutTheActuator() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(Endpoint.class))
            .withPropertyValues(EXPOSE_OVER_HTTP)
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(Backfill.class)
                .doesNotHaveBean(BackfillEndpoint.class));
    }

    @Test
    void noEndpointWithoutABackfill() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(RedisClient.class))
            .withPropertyValues(EXPOSE_OVER_HTTP)
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(Backfill.class)
                .doesNotHaveBean(BackfillEndpoint.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEndpoint {

        private BackfillEndpoint endpoint;

        private BackfillEndpointWebExtension webExtension;

        @Bean
        BackfillEndpoint ownBackfillEndpoint(Backfill backfill) {
            this.endpoint = new BackfillEndpoint(backfill);
            return this.endpoint;
        }

        @Bean
        BackfillEndpointWebExtension ownBackfillEndpointWebExtension(BackfillEndpoint endpoint) {
            this.webExtension = new BackfillEndpointWebExtension(endpoint);
            return this.webExtension;
        }

    }

}
