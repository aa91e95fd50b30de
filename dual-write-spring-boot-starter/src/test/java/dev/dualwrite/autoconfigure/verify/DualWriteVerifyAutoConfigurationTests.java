package dev.dualwrite.autoconfigure.verify;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.dualwrite.autoconfigure.DualWriteAutoConfiguration;
import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.widget.Widget;
import dev.dualwrite.autoconfigure.fixtures.widget.jdbc.WidgetRowRepository;
import dev.dualwrite.autoconfigure.fixtures.widget.redis.WidgetRepository;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.compare.EntityComparator;
import dev.dualwrite.core.ledger.Ledger;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.routing.WriteCoordinator;
import dev.dualwrite.core.store.scan.OldStoreScanner;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.verify.BackgroundVerifier;
import dev.dualwrite.core.verify.BackgroundVerifySettings;
import dev.dualwrite.core.verify.OldStoreScanners;
import dev.dualwrite.core.verify.RedisScanners;
import dev.dualwrite.core.verify.ReportRepair;
import dev.dualwrite.core.verify.VerificationStore;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyMode;
import dev.dualwrite.core.verify.VerifyOptions;
import dev.dualwrite.testsupport.TestSchema;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.jdbc.autoconfigure.DataJdbcRepositoriesAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisKeyValueAdapter;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DualWriteVerifyAutoConfiguration}: the store of reports, the background
 * verifier, which is off unless asked for, the one-shot run, their properties and a user's
 * beans in place of ours.
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

    @Test
    void propertiesSetTheOneShotRunAndTheBackgroundVerification() {
        this.contextRunner
            .withPropertyValues("dual-write.verify.run=" + Widget.TABLE, "dual-write.verify.exit=false",
                    "dual-write.verify.mode=SAMPLED", "dual-write.verify.sample-percent=5",
                    "dual-write.verify.include-values=true", "dual-write.verify.batch-size=50",
                    "dual-write.verify.max-differences=20", "dual-write.verify.background.enabled=true",
                    "dual-write.verify.background.rate=100", "dual-write.verify.background.batch-size=10",
                    "dual-write.verify.background.pause=1h", "dual-write.verify.background.lease=30s",
                    "dual-write.verify.background.repair-differences=true",
                    "dual-write.verify.background.max-differences=5")
            .run((context) -> {
                assertThat(context).hasNotFailed().hasSingleBean(VerifyOneShotRunner.class);
                VerifyOneShotRunner runner = context.getBean(VerifyOneShotRunner.class);
                assertThat(runner).extracting("names").isEqualTo(List.of(Widget.TABLE));
                assertThat(runner).extracting("exit").isEqualTo(false);
                assertThat(runner).extracting("options").isInstanceOfSatisfying(VerifyOptions.class, (options) -> {
                    assertThat(options.mode()).isEqualTo(VerifyMode.SAMPLED);
                    assertThat(options.samplePercent()).isEqualTo(5);
                    assertThat(options.includeValues()).isTrue();
                    assertThat(options.batchSize()).isEqualTo(50);
                    assertThat(options.maxDifferences()).isEqualTo(20);
                });
                assertThat(context.getBean(BackgroundVerifier.class)).extracting("settings")
                    .isInstanceOfSatisfying(BackgroundVerifySettings.class, (settings) -> {
                        assertThat(settings.rate()).isEqualTo(100);
                        assertThat(settings.pause()).isEqualTo(Duration.ofHours(1));
                        assertThat(settings.lease()).isEqualTo(Duration.ofSeconds(30));
                        assertThat(settings.repairDifferences()).isTrue();
                        assertThat(settings.options().batchSize()).isEqualTo(10);
                        assertThat(settings.options().maxDifferences()).isEqualTo(5);
                        // The background pass never keeps values: it runs for as long as the stage.
                        assertThat(settings.options().includeValues()).isFalse();
                    });
            });
    }

    @Test
    void noOneShotRunUnlessAsked() {
        this.contextRunner.run((context) -> assertThat(context).hasNotFailed()
            .doesNotHaveBean(VerifyOneShotRunner.class)
            .hasSingleBean(ReportRepair.class)
            .hasSingleBean(RedisScanners.class));
    }

    @Test
    void userBeansOfEveryOtherTypeMakeOursBackOff() {
        this.contextRunner.withUserConfiguration(OwnVerification.class)
            .withPropertyValues("dual-write.verify.background.enabled=true", "dual-write.verify.background.pause=1h",
                    "dual-write.verify.run=" + Widget.TABLE, "dual-write.verify.exit=false")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                OwnVerification own = context.getBean(OwnVerification.class);
                assertThat(context.getBean(RedisScanners.class)).isSameAs(own.scanners);
                assertThat(context.getBean(VerificationStore.class)).isSameAs(own.store);
                assertThat(context.getBean(Verifier.class)).isSameAs(own.verifier);
                assertThat(context.getBean(ReportRepair.class)).isSameAs(own.repair);
                assertThat(context.getBean(BackgroundVerifierLifecycle.class)).isSameAs(own.lifecycle);
                assertThat(context.getBean(VerifyOneShotRunner.class)).isSameAs(own.runner);
            });
    }

    @Test
    void scannersOfAnotherOldStoreMakeTheRedisOnesBackOffAndFeedTheVerifier() {
        this.contextRunner.withUserConfiguration(OwnScanners.class).run((context) -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(DefaultRedisScanners.class);
            OldStoreScanners own = context.getBean(OwnScanners.class).scanners;
            assertThat(context.getBean(OldStoreScanners.class)).isSameAs(own);
            assertThat(context.getBean(Verifier.class)).extracting("scanners").isSameAs(own);
        });
    }

    @Test
    void noVerifierWithoutDualWrite() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DualWriteVerifyAutoConfiguration.class))
            .withPropertyValues("dual-write.verify.background.enabled=true")
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(Verifier.class)
                .doesNotHaveBean(VerificationStore.class)
                .doesNotHaveBean(BackgroundVerifier.class));
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

    @Configuration(proxyBeanMethods = false)
    static class OwnScanners {

        private final OldStoreScanners scanners = new OldStoreScanners() {

            @Override
            public <R, ID> OldStoreScanner<R, ID> scannerFor(DualRepository<R, ?, ID> repository) {
                throw new UnsupportedOperationException("nothing is scanned in this test");
            }

        };

        @Bean
        OldStoreScanners ownOldStoreScanners() {
            return this.scanners;
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnVerification {

        private RedisScanners scanners;

        private VerificationStore store;

        private Verifier verifier;

        private ReportRepair repair;

        private BackgroundVerifierLifecycle lifecycle;

        private VerifyOneShotRunner runner;

        @Bean
        RedisScanners ownRedisScanners(RedisConnectionFactory connectionFactory,
                ObjectProvider<RedisKeyValueAdapter> keyValueAdapter) {
            this.scanners = new DefaultRedisScanners(connectionFactory, keyValueAdapter);
            return this.scanners;
        }

        @Bean
        VerificationStore ownVerificationStore(DataSource dataSource) {
            this.store = new VerificationStore(new JdbcTemplate(dataSource));
            return this.store;
        }

        @Bean
        Verifier ownVerifier(RedisScanners scanners, EntityComparator comparator, StrategySource strategies,
                Ledger ledger, VerificationStore store) {
            // The background verifier needs a verifier that keeps its reports.
            this.verifier = new Verifier(scanners, comparator, strategies, Map.of(), ledger, store);
            return this.verifier;
        }

        @Bean
        ReportRepair ownReportRepair(WriteCoordinator writes, StrategySource strategies, EntityComparator comparator,
                Ledger ledger) {
            this.repair = new ReportRepair(writes, strategies, comparator, ledger);
            return this.repair;
        }

        @Bean
        BackgroundVerifierLifecycle ownBackgroundVerifierLifecycle(BackgroundVerifier verifier) {
            this.lifecycle = new BackgroundVerifierLifecycle(verifier);
            return this.lifecycle;
        }

        @Bean
        VerifyOneShotRunner ownVerifyOneShotRunner(Verifier verifier, DualRepositoryRegistry registry,
                ApplicationContext context) {
            this.runner = new VerifyOneShotRunner(verifier, registry, List.of("all"), VerifyOptions.full(), false,
                    context);
            return this.runner;
        }

    }

}
