package dev.dualwrite.autoconfigure.verify;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.dualwrite.autoconfigure.DualWriteAutoConfiguration;
import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.widget.jdbc.WidgetRowRepository;
import dev.dualwrite.autoconfigure.fixtures.widget.redis.WidgetRepository;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.routing.WriteCoordinator;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.verify.BackgroundVerifier;
import dev.dualwrite.core.verify.BackgroundVerifySettings;
import dev.dualwrite.core.verify.VerificationStore;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyOptions;
import dev.dualwrite.testsupport.TestSchema;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DualWriteVerifyAutoConfiguration}: the store of reports and the background
 * verifier, which is off unless asked for.
 */
class DualWriteVerifyAutoConfigurationTests {

    private static final TestSchema schema = TestSchema.create(DualWriteVerifyAutoConfigurationTests.class);

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
                DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                DataJdbcRepositoriesAutoConfiguration.class, DataRedisAutoConfiguration.class,
                FlywayAutoConfiguration.class, DualWriteAutoConfiguration.class,
                DualWriteVerifyAutoConfiguration.class))
        .withPropertyValues(FixtureStores.properties(schema))
        .withUserConfiguration(WidgetRepositories.class);

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @Test
    void reportsAreKeptInTheLibrarysTablesAndNothingVerifiesInTheBackgroundByDefault() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasNotFailed()
                .hasSingleBean(Verifier.class)
                .hasSingleBean(VerificationStore.class)
                .doesNotHaveBean(BackgroundVerifier.class)
                .doesNotHaveBean(BackgroundVerifierLifecycle.class);
            Long tables = context.getBean(JdbcTemplate.class)
                .queryForObject("select count(*) from information_schema.tables where table_schema = current_schema()"
                        + " and table_name in ('dualwrite_verification', 'dualwrite_verification_difference',"
                        + " 'dualwrite_verification_lease')", Long.class);
            assertThat(tables).isEqualTo(3);
        });
    }

    @Test
    void backgroundVerifierStartsWhenEnabledAndRegistersItsMetersPerRepository() {
        this.contextRunner.withUserConfiguration(Meters.class)
            .withPropertyValues("dual-write.verify.background.enabled=true", "dual-write.verify.background.pause=1h")
            .run((context) -> {
                assertThat(context).hasNotFailed()
                    .hasSingleBean(BackgroundVerifier.class)
                    .hasSingleBean(BackgroundVerifierLifecycle.class);
                assertThat(context.getBean(BackgroundVerifierLifecycle.class).isRunning()).isTrue();
                MeterRegistry meters = context.getBean(MeterRegistry.class);
                List<String> repositories = context.getBean(DualRepositoryRegistry.class)
                    .all()
                    .stream()
                    .map(DualRepository::name)
                    .toList();
                assertThat(repositories).isNotEmpty();
                // One gauge of each per paired repository, tagged with its name, at once.
                assertThat(meters.find(BackgroundVerifier.DIFFERENCES).gauges())
                    .extracting((gauge) -> gauge.getId().getTag("repository"))
                    .containsExactlyInAnyOrderElementsOf(repositories);
                assertThat(meters.find(BackgroundVerifier.DIFFERENCES).gauges())
                    .allSatisfy((gauge) -> assertThat(gauge.value()).as("no pass yet").isNaN());
                assertThat(meters.find(BackgroundVerifier.AGE).gauges())
                    .extracting((gauge) -> gauge.getId().getTag("repository"))
                    .containsExactlyInAnyOrderElementsOf(repositories);
            });
    }

    @Test
    void theBackgroundVerifierRunsAgainWhenItsLifecycleIsStoppedAndStarted() {
        this.contextRunner.withPropertyValues("dual-write.verify.background.enabled=true",
                "dual-write.verify.background.pause=1h")
            .run((context) -> {
                BackgroundVerifierLifecycle lifecycle = context.getBean(BackgroundVerifierLifecycle.class);
                BackgroundVerifier verifier = context.getBean(BackgroundVerifier.class);
                lifecycle.stop();
                assertThat(lifecycle.isRunning()).as("stopped").isFalse();
                assertThat(verifier.isRunning()).isFalse();
                lifecycle.start();
                assertThat(lifecycle.isRunning()).as("started again").isTrue();
                assertThat(verifier.isRunning()).isTrue();
            });
    }

    @Test
    void aUserBackgroundVerifierMakesOursBackOff() {
        this.contextRunner.withUserConfiguration(OwnVerifier.class)
            .withPropertyValues("dual-write.verify.background.enabled=true")
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(BackgroundVerifier.class)
                .getBean(BackgroundVerifier.class)
                .isSameAs(context.getBean(OwnVerifier.class).verifier));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisRepositories(basePackageClasses = WidgetRepository.class)
    @EnableJdbcRepositories(basePackageClasses = WidgetRowRepository.class)
    static class WidgetRepositories {

    }

    @Configuration(proxyBeanMethods = false)
    static class Meters {

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnVerifier {

        private BackgroundVerifier verifier;

        @Bean
        BackgroundVerifier ownBackgroundVerifier(Verifier verifier, DualRepositoryRegistry registry,
                StrategySource strategies, WriteCoordinator writes) {
            this.verifier = new BackgroundVerifier(verifier, registry::all, strategies, writes, Map.of(),
                    new BackgroundVerifySettings(VerifyOptions.full(), 0, Duration.ofHours(1), Duration.ofMinutes(1),
                            false, "own"),
                    new SimpleMeterRegistry());
            return this.verifier;
        }

    }

}
