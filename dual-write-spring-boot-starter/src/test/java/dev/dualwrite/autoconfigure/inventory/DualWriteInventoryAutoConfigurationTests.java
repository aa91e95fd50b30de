package dev.dualwrite.autoconfigure.inventory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.dualwrite.autoconfigure.DualWriteAutoConfiguration;
import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.widget.Widget;
import dev.dualwrite.autoconfigure.fixtures.widget.jdbc.WidgetRowRepository;
import dev.dualwrite.autoconfigure.fixtures.widget.redis.WidgetRepository;
import dev.dualwrite.core.inventory.BackfillRates;
import dev.dualwrite.core.inventory.CheckpointBackfillRates;
import dev.dualwrite.core.inventory.Inventory;
import dev.dualwrite.core.inventory.InventorySettings;
import dev.dualwrite.core.inventory.InventorySource;
import dev.dualwrite.testsupport.TestSchema;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

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
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DualWriteInventoryAutoConfiguration}, with its endpoint's
 * auto-configuration where the endpoint should follow the inventory (the endpoint's own
 * conditions are in {@link DualWriteInventoryEndpointAutoConfigurationTests}).
 */
class DualWriteInventoryAutoConfigurationTests {

    private static final TestSchema schema = TestSchema.create(DualWriteInventoryAutoConfigurationTests.class);

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
                DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                DataJdbcRepositoriesAutoConfiguration.class, DataRedisAutoConfiguration.class,
                FlywayAutoConfiguration.class, DualWriteAutoConfiguration.class,
                DualWriteInventoryAutoConfiguration.class, DualWriteInventoryEndpointAutoConfiguration.class))
        .withPropertyValues(FixtureStores.properties(schema))
        .withUserConfiguration(WidgetRepositories.class);

    @AfterAll
    static void dropSchemaAndKeys() {
        schema.close();
        FixtureStores.deleteRedisKeys();
    }

    @Test
    void inventoryOfEveryPairedRepositoryWithRatesFromTheCheckpointsAndNoRunOrEndpointByDefault() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasNotFailed()
                .hasSingleBean(Inventory.class)
                .doesNotHaveBean(InventoryOneShotRunner.class)
                .doesNotHaveBean(DualWriteInventoryEndpoint.class);
            assertThat(context.getBean(BackfillRates.class)).isInstanceOf(CheckpointBackfillRates.class);
            Inventory inventory = context.getBean(Inventory.class);
            assertThat(inventory.repositories()).containsExactly(Widget.TABLE);
            assertThat(inventory.settings()).isEqualTo(InventorySettings.DEFAULTS);
        });
    }

    @Test
    void propertiesSetHowTheInventoryScans() {
        this.contextRunner
            .withPropertyValues("dual-write.inventory.match=app:*", "dual-write.inventory.page-size=100",
                    "dual-write.inventory.scan-count=50", "dual-write.inventory.pipeline-depth=8",
                    "dual-write.inventory.rate-limit=2000", "dual-write.inventory.memory-sample-keys=20",
                    "dual-write.inventory.memory-samples=0", "dual-write.inventory.unmatched-examples=4",
                    "dual-write.inventory.timeout=3s")
            .run((context) -> assertThat(context.getBean(Inventory.class).settings())
                .isEqualTo(new InventorySettings("app:*", 100, 50, 8, 2000, 20, 0, 4, Duration.ofSeconds(3))));
    }

    @Test
    void runPropertyAddsTheOneShotRunner() {
        this.contextRunner.withPropertyValues("dual-write.inventory.run=all", "dual-write.inventory.exit=false")
            .run((context) -> assertThat(context).hasNotFailed().hasSingleBean(InventoryOneShotRunner.class));
    }

    @Test
    void aUserInventoryMakesOursBackOffAndServesTheEndpoint() {
        this.contextRunner.withUserConfiguration(OwnInventory.class)
            .withPropertyValues("management.endpoints.web.exposure.include=dualwriteinventory")
            .run((context) -> {
                assertThat(context).hasNotFailed().hasSingleBean(Inventory.class);
                assertThat(context.getBean(Inventory.class)).isSameAs(context.getBean(OwnInventory.class).inventory);
                assertThat(context.getBean(DualWriteInventoryEndpoint.class).status().message())
                    .isEqualTo(DualWriteInventoryEndpoint.NONE_TAKEN);
            });
    }

    @Test
    void userRatesAndOneShotRunnerMakeOursBackOff() {
        this.contextRunner.withUserConfiguration(OwnRatesAndRunner.class)
            .withPropertyValues("dual-write.inventory.run=all", "dual-write.inventory.exit=false")
            .run((context) -> {
                assertThat(context).hasNotFailed()
                    .hasSingleBean(BackfillRates.class)
                    .hasSingleBean(InventoryOneShotRunner.class);
                OwnRatesAndRunner own = context.getBean(OwnRatesAndRunner.class);
                assertThat(context.getBean(BackfillRates.class)).isSameAs(own.rates);
                assertThat(context.getBean(InventoryOneShotRunner.class)).isSameAs(own.runner);
            });
    }

    @Test
    void noInventoryWithoutLettuce() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(RedisClient.class))
            .run((context) -> assertThat(context).doesNotHaveBean(Inventory.class)
                .doesNotHaveBean(DualWriteInventoryEndpoint.class));
    }

    @Test
    void noInventoryWithoutDualWrite() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DualWriteInventoryAutoConfiguration.class,
                    DualWriteInventoryEndpointAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=dualwriteinventory")
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(Inventory.class)
                .doesNotHaveBean(DualWriteInventoryEndpoint.class));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisRepositories(basePackageClasses = WidgetRepository.class)
    @EnableJdbcRepositories(basePackageClasses = WidgetRowRepository.class)
    static class WidgetRepositories {

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnInventory {

        private Inventory inventory;

        @Bean
        Inventory ownInventory() {
            Supplier<List<InventorySource>> none = List::of;
            this.inventory = new Inventory(none, BackfillRates.NONE, InventorySettings.DEFAULTS);
            return this.inventory;
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnRatesAndRunner {

        private final BackfillRates rates = (repository) -> Optional.empty();

        private InventoryOneShotRunner runner;

        @Bean
        BackfillRates ownBackfillRates() {
            return this.rates;
        }

        @Bean
        InventoryOneShotRunner ownInventoryOneShotRunner(Inventory inventory, ApplicationContext context) {
            this.runner = new InventoryOneShotRunner(inventory, List.of("all"), false, context, System.out);
            return this.runner;
        }

    }

}
