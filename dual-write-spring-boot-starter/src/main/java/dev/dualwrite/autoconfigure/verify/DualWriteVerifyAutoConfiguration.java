package dev.dualwrite.autoconfigure.verify;


import javax.sql.DataSource;

import dev.dualwrite.autoconfigure.DualWriteAutoConfiguration;
import dev.dualwrite.autoconfigure.InstanceNames;
import dev.dualwrite.autoconfigure.schema.DualWriteSchemaMigration;
import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.control.ControlPlane;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.ledger.Ledger;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RoutingOldStoreRepairLog;
import dev.dualwrite.core.repair.RepairLogs;
import dev.dualwrite.core.routing.WriteCoordinator;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.compare.EntityComparator;
import dev.dualwrite.core.verify.BackgroundVerifier;
import dev.dualwrite.core.verify.BackgroundVerifySettings;
import dev.dualwrite.core.verify.OldStoreScanners;
import dev.dualwrite.core.verify.VerificationStore;
import dev.dualwrite.core.verify.ReportRepair;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisKeyValueAdapter;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Auto-configuration of the verifier, the table its reports are kept in, repair from its
 * reports, the one-shot run ({@code dual-write.verify.run=<repository>,...}) and the
 * background verification ({@code dual-write.verify.background.enabled=true}).
 */
@AutoConfiguration(after = { DualWriteAutoConfiguration.class, MetricsAutoConfiguration.class,
        CompositeMeterRegistryAutoConfiguration.class })
@ConditionalOnBean({ DualRepositoryRegistry.class, WriteCoordinator.class })
@EnableConfigurationProperties(DualWriteVerifyProperties.class)
public final class DualWriteVerifyAutoConfiguration {

    // Backs off for any scanners bean, a Redis-typed one declared before OldStoreScanners existed
    // included: the verifier takes one, whatever its old store.
    @Bean
    @ConditionalOnMissingBean(OldStoreScanners.class)
    @ConditionalOnBean(RedisConnectionFactory.class)
    DefaultRedisScanners dualWriteRedisScanners(RedisConnectionFactory connectionFactory,
            ObjectProvider<RedisKeyValueAdapter> keyValueAdapter) {
        return new DefaultRedisScanners(connectionFactory, keyValueAdapter);
    }

    @Bean
    @ConditionalOnMissingBean
    VerificationStore dualWriteVerificationStore(DataSource dataSource,
            ObjectProvider<DualWriteSchemaMigration> migration) {
        // Creating the migration bean creates the tables the reports are kept in.
        migration.getIfAvailable();
        return new VerificationStore(new JdbcTemplate(dataSource));
    }

    @Bean
    @ConditionalOnMissingBean
    Verifier dualWriteVerifier(ObjectProvider<OldStoreScanners> scannerBeans, EntityComparator comparator,
            StrategySource strategies,
            RoutingOldStoreRepairLog oldStoreRepairLog, PostgresRepairLog postgresRepairLog, Ledger ledger,
            ObjectProvider<VerificationStore> store, DualRepositoryRegistry registry, ObjectProvider<Backfill> backfill) {
        // The library's Redis scanners (none without Redis) leave the pairs of old-store sources
        // to the sources' scanners; scanners of the application's own take every pair.
        OldStoreScanners scanners = scannerBeans.getIfAvailable();
        OldStoreScanners used = (scanners == null || scanners instanceof DefaultRedisScanners)
                ? new OldStoreSourceScanners(scanners, registry) : scanners;
        Verifier verifier = new Verifier(used, comparator, strategies,
                RepairLogs.byStoreToRepair(oldStoreRepairLog, postgresRepairLog), ledger, store.getIfAvailable());
        // With the backfill's writers, PostgreSQL compares the rows it holds with the mapped
        // values, and only those that may differ are loaded and compared here.
        backfill.ifAvailable((writers) -> verifier.setPostgresComparison(writers.postgresComparison()));
        return verifier;
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty("dual-write.verify.background.enabled")
    BackgroundVerifier dualWriteBackgroundVerifier(Verifier verifier, DualRepositoryRegistry registry,
            StrategySource strategies, WriteCoordinator writes, RoutingOldStoreRepairLog oldStoreRepairLog,
            PostgresRepairLog postgresRepairLog, DualWriteVerifyProperties properties,
            ObjectProvider<MeterRegistry> meterRegistry) {
        DualWriteVerifyProperties.Background background = properties.getBackground();
        VerifyOptions options = options(properties).withBatchSize(background.getBatchSize())
            .withMaxDifferences(background.getMaxDifferences())
            .withValues(false);
        String instanceId = (strategies instanceof ControlPlane controlPlane) ? controlPlane.instanceId()
                : InstanceNames.generate(InstanceNames.host());
        BackgroundVerifySettings settings = new BackgroundVerifySettings(options, background.getRate(),
                background.getPause(), background.getLease(), background.isRepairDifferences(), instanceId);
        // No meter registry in the application: meters go to an empty composite, which drops them.
        return new BackgroundVerifier(verifier, registry::all, strategies, writes,
                RepairLogs.byStoreToRepair(oldStoreRepairLog, postgresRepairLog), settings,
                meterRegistry.getIfUnique(CompositeMeterRegistry::new));
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(BackgroundVerifier.class)
    BackgroundVerifierLifecycle dualWriteBackgroundVerifierLifecycle(BackgroundVerifier verifier) {
        return new BackgroundVerifierLifecycle(verifier);
    }

    @Bean
    @ConditionalOnMissingBean
    ReportRepair dualWriteReportRepair(WriteCoordinator writes, StrategySource strategies,
            EntityComparator comparator, Ledger ledger) {
        return new ReportRepair(writes, strategies, comparator, ledger);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "dual-write.verify.run")
    VerifyOneShotRunner dualWriteVerifyOneShotRunner(Verifier verifier, DualRepositoryRegistry registry,
            DualWriteVerifyProperties properties, ApplicationContext context) {
        return new VerifyOneShotRunner(verifier, registry, properties.getRun(), options(properties),
                properties.isExit(), context);
    }

    static VerifyOptions options(DualWriteVerifyProperties properties) {
        return new VerifyOptions(properties.getMode(), properties.getSamplePercent(), properties.getSampleCount(),
                properties.isIncludeValues(), properties.getBatchSize(), properties.getMaxDifferences(),
                properties.getSettleDelay());
    }

}
