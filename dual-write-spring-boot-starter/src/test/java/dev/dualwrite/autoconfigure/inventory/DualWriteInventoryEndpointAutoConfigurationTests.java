package dev.dualwrite.autoconfigure.inventory;

import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.WidgetHost;
import dev.dualwrite.autoconfigure.fixtures.widget.Widget;
import dev.dualwrite.core.inventory.Inventory;
import dev.dualwrite.core.inventory.InventoryRuns;
import dev.dualwrite.core.ledger.Ledger;
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
 * Tests for {@link DualWriteInventoryEndpointAutoConfiguration}, against the real servers.
 */
class DualWriteInventoryEndpointAutoConfigurationTests {

    private static final String EXPOSE_OVER_HTTP = "management.endpoints.web.exposure.include=dualwriteinventory";

    private static final TestSchema schema = TestSchema.create(DualWriteInventoryEndpointAutoConfigurationTests.class);

    private final ApplicationContextRunner contextRunner = WidgetHost.on(schema)
        .withConfiguration(AutoConfigurations.of(DualWriteInventoryAutoConfiguration.class,
                DualWriteInventoryEndpointAutoConfiguration.class));

    @AfterAll
    static void dropSchemaAndKeys() {
        schema.close();
        FixtureStores.deleteRedisKeys();
    }

    @Test
    void endpointIsAbsentUnlessExposed() {
        this.contextRunner.run((context) -> assertThat(context).hasNotFailed()
            .hasSingleBean(Inventory.class)
            .doesNotHaveBean(InventoryRuns.class)
            .doesNotHaveBean(DualWriteInventoryEndpoint.class)
            .doesNotHaveBean(DualWriteInventoryEndpointWebExtension.class));
    }

    @Test
    void endpointComesWhenExposed() {
        this.contextRunner.withPropertyValues(EXPOSE_OVER_HTTP).run((context) -> {
            assertThat(context).hasSingleBean(DualWriteInventoryEndpoint.class)
                .hasSingleBean(InventoryRuns.class)
                .hasSingleBean(DualWriteInventoryEndpointWebExtension.class);
            // Runs are recorded in the application's ledger.
            assertThat(context.getBean(InventoryRuns.class)).extracting("ledger")
                .isSameAs(context.getBean(Ledger.class));
            DualWriteInventoryEndpoint endpoint = context.getBean(DualWriteInventoryEndpoint.class);
            assertThat(endpoint.status().message()).isEqualTo(DualWriteInventoryEndpoint.NONE_TAKEN);
            assertThat(endpoint.repository(Widget.TABLE)).isNotNull();
        });
    }

    @Test
    void endpointExposedOverJmxOnlyHasNoWebExtension() {
        this.contextRunner
            .withPropertyValues("spring.jmx.enabled=true",
                    "management.endpoints.jmx.exposure.include=dualwriteinventory")
            .run((context) -> assertThat(context).hasSingleBean(DualWriteInventoryEndpoint.class)
                .doesNotHaveBean(DualWriteInventoryEndpointWebExtension.class));
    }

    @Test
    void endpointCanBeSwitchedOff() {
        this.contextRunner.withPropertyValues(EXPOSE_OVER_HTTP, "management.endpoint.dualwriteinventory.access=NONE")
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(InventoryRuns.class)
                .doesNotHaveBean(DualWriteInventoryEndpoint.class));
    }

    @Test
    void userBeansMakeOursBackOff() {
        this.contextRunner.withUserConfiguration(OwnEndpoint.class)
            .withPropertyValues(EXPOSE_OVER_HTTP)
            .run((context) -> {
                assertThat(context).hasNotFailed()
                    .hasSingleBean(InventoryRuns.class)
                    .hasSingleBean(DualWriteInventoryEndpoint.class)
                    .hasSingleBean(DualWriteInventoryEndpointWebExtension.class);
                OwnEndpoint own = context.getBean(OwnEndpoint.class);
                assertThat(context.getBean(InventoryRuns.class)).isSameAs(own.runs);
                assertThat(context.getBean(DualWriteInventoryEndpoint.class)).isSameAs(own.endpoint);
                assertThat(context.getBean(DualWriteInventoryEndpointWebExtension.class)).isSameAs(own.webExtension);
            });
    }

    @Test
    void noEndpointWithoutTheActuator() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(Endpoint.class))
            .withPropertyValues(EXPOSE_OVER_HTTP)
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(Inventory.class)
                .doesNotHaveBean(DualWriteInventoryEndpoint.class));
    }

    @Test
    void noEndpointWithoutAnInventory() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(RedisClient.class))
            .withPropertyValues(EXPOSE_OVER_HTTP)
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(Inventory.class)
                .doesNotHaveBean(DualWriteInventoryEndpoint.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEndpoint {

        private InventoryRuns runs;

        private DualWriteInventoryEndpoint endpoint;

        private DualWriteInventoryEndpointWebExtension webExtension;

        @Bean(destroyMethod = "close")
        InventoryRuns ownInventoryRuns(Inventory inventory) {
            this.runs = new InventoryRuns(inventory, null);
            return this.runs;
        }

        @Bean
        DualWriteInventoryEndpoint ownInventoryEndpoint(Inventory inventory, InventoryRuns runs) {
            this.endpoint = new DualWriteInventoryEndpoint(inventory, runs);
            return this.endpoint;
        }

        @Bean
        DualWriteInventoryEndpointWebExtension ownInventoryEndpointWebExtension(DualWriteInventoryEndpoint endpoint) {
            this.webExtension = new DualWriteInventoryEndpointWebExtension(endpoint);
            return this.webExtension;
        }

    }

}
