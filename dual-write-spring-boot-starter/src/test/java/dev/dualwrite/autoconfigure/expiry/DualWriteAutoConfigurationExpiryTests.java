package dev.dualwrite.autoconfigure.expiry;

import java.time.Duration;

import dev.dualwrite.autoconfigure.DualWriteAutoConfiguration;
import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.widget.Widget;
import dev.dualwrite.autoconfigure.fixtures.widget.jdbc.WidgetRowRepository;
import dev.dualwrite.autoconfigure.fixtures.widget.redis.WidgetRepository;
import dev.dualwrite.autoconfigure.properties.DualWriteProperties;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.autoconfigure.repository.RepositoryExpiries;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.jdbc.autoconfigure.DataJdbcRepositoriesAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisRepositoriesAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The expiry wiring of {@link DualWriteAutoConfiguration}, against the real servers: the sweep
 * by default and switched off, its properties, a repository without expiry property carries
 * none, and a configured property that does not exist or is no instant stops the startup
 * with a message naming the property.
 */
class DualWriteAutoConfigurationExpiryTests {

    private static final AutoConfigurations STORES = AutoConfigurations.of(DataSourceAutoConfiguration.class,
            JdbcTemplateAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
            TransactionAutoConfiguration.class, DataJdbcRepositoriesAutoConfiguration.class,
            DataRedisAutoConfiguration.class, DataRedisRepositoriesAutoConfiguration.class,
            FlywayAutoConfiguration.class);

    private static final String WIDGETS = Widget.TABLE;

    private TestSchema schema;

    private ApplicationContextRunner contextRunner;

    @BeforeEach
    void createSchema() {
        this.schema = TestSchema.create(DualWriteAutoConfigurationExpiryTests.class);
        this.contextRunner = new ApplicationContextRunner().withConfiguration(STORES)
            .withConfiguration(AutoConfigurations.of(DualWriteAutoConfiguration.class))
            .withPropertyValues(FixtureStores.properties(this.schema))
            .withPropertyValues("spring.flyway.locations=classpath:db/autoconf/host")
            .withUserConfiguration(WidgetRepositories.class);
    }

    @AfterEach
    void dropSchemaAndKeys() {
        this.schema.close();
        FixtureStores.deleteRedisKeys();
    }

    @Test
    void byDefaultTheSweepRunsAndARepositoryWithoutExpiryPropertyCarriesNone() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasNotFailed().hasSingleBean(ExpirySweepLifecycle.class)
                .hasSingleBean(RepositoryExpiries.class);
            assertThat(context.getBean(ExpirySweepLifecycle.class).isRunning()).isTrue();
            DualWriteProperties.Sweep sweep = context.getBean(DualWriteProperties.class).getExpiry().getSweep();
            assertThat(sweep.getInterval()).isEqualTo(Duration.ofMinutes(1));
            assertThat(sweep.getBatchSize()).isEqualTo(500);
            assertThat(context.getBean(DualRepositoryRegistry.class).find(WidgetRepository.class))
                .get()
                .satisfies((pair) -> assertThat(pair.expiry().enabled()).isFalse());
            assertThat(context.getBean(ExpirySweepLifecycle.class).sweeper().sweep()).isEmpty();
        });
    }

    @Test
    void sweepPropertiesBindAndTheSweepCanBeSwitchedOff() {
        this.contextRunner
            .withPropertyValues("dual-write.expiry.sweep.interval=5s", "dual-write.expiry.sweep.batch-size=20",
                    "dual-write.repositories." + WIDGETS + ".expiry.tolerance=3s")
            .run((context) -> {
                DualWriteProperties properties = context.getBean(DualWriteProperties.class);
                assertThat(properties.getExpiry().getSweep().getInterval()).isEqualTo(Duration.ofSeconds(5));
                assertThat(properties.getExpiry().getSweep().getBatchSize()).isEqualTo(20);
                assertThat(properties.getRepositories().get(WIDGETS).getExpiry().getTolerance())
                    .isEqualTo(Duration.ofSeconds(3));
            });
        this.contextRunner.withPropertyValues("dual-write.expiry.sweep.enabled=false")
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ExpirySweepLifecycle.class));
    }

    @Test
    void anExpiryPropertyTheEntityLacksStopsTheStartupNamingIt() {
        this.contextRunner.withPropertyValues("dual-write.repositories." + WIDGETS + ".expiry.property=expiresAt")
            .run((context) -> assertThat(context).hasFailed()
                .getFailure()
                .satisfies((failure) -> assertThat(NestedExceptionUtils.getMostSpecificCause(failure).getMessage())
                    .contains("dual-write.repositories." + WIDGETS + ".expiry.property")
                    .contains(Widget.class.getName() + " has no property 'expiresAt'")));
    }

    @Test
    void anExpiryPropertyThatIsNoInstantStopsTheStartupNamingItsType() {
        this.contextRunner.withPropertyValues("dual-write.repositories." + WIDGETS + ".expiry.property=quantity")
            .run((context) -> assertThat(context).hasFailed()
                .getFailure()
                .satisfies((failure) -> assertThat(NestedExceptionUtils.getMostSpecificCause(failure).getMessage())
                    .contains(Widget.class.getName() + ".quantity is of type int")
                    .contains("must be an Instant or an OffsetDateTime")));
    }

    @Test
    void aSweepIntervalOrBatchSizeThatIsNotPositiveStopsTheStartupNamingTheProperty() {
        this.contextRunner.withPropertyValues("dual-write.expiry.sweep.interval=0s")
            .run((context) -> assertThat(context).hasFailed()
                .getFailure()
                .satisfies((failure) -> assertThat(NestedExceptionUtils.getMostSpecificCause(failure).getMessage())
                    .contains("dual-write.expiry.sweep.interval must be positive, was PT0S")));
        this.contextRunner.withPropertyValues("dual-write.expiry.sweep.batch-size=0")
            .run((context) -> assertThat(context).hasFailed()
                .getFailure()
                .satisfies((failure) -> assertThat(NestedExceptionUtils.getMostSpecificCause(failure).getMessage())
                    .contains("dual-write.expiry.sweep.batch-size must be positive, was 0")));
    }

    @Test
    void aNegativeToleranceStopsTheStartupNamingTheProperty() {
        this.contextRunner.withPropertyValues("dual-write.repositories." + WIDGETS + ".expiry.tolerance=-1s")
            .run((context) -> assertThat(context).hasFailed()
                .getFailure()
                .satisfies((failure) -> assertThat(NestedExceptionUtils.getMostSpecificCause(failure).getMessage())
                    .contains("dual-write.repositories." + WIDGETS + ".expiry.tolerance must not be negative, was PT-1S")));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisRepositories(basePackageClasses = WidgetRepository.class)
    @EnableJdbcRepositories(basePackageClasses = WidgetRowRepository.class)
    static class WidgetRepositories {

    }

}
