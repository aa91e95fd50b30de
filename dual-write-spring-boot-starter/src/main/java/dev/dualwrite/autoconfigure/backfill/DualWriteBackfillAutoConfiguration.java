package dev.dualwrite.autoconfigure.backfill;

import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import dev.dualwrite.autoconfigure.DualWriteAutoConfiguration;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.autoconfigure.schema.DualWriteSchemaMigration;
import dev.dualwrite.autoconfigure.source.OnRedisScannersOrOldStoreSource;
import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.backfill.BackfillListener;
import dev.dualwrite.core.backfill.BackfillMetrics;
import dev.dualwrite.core.backfill.BackfillOrder;
import dev.dualwrite.core.control.ControlPlane;
import dev.dualwrite.core.strategy.StrategySource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.data.jdbc.core.convert.JdbcConverter;
import org.springframework.data.jdbc.core.dialect.JdbcDialect;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisKeyValueAdapter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Auto-configuration of the backfill: a {@link Backfill} over every paired repository, its
 * meters ({@code dualwrite.backfill.*}, on the application's {@link MeterRegistry} when there
 * is one) and, with {@code dual-write.backfill.run}, the one-shot run.
 */
@AutoConfiguration(after = DualWriteAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(Backfill.class)
@Conditional(OnRedisScannersOrOldStoreSource.class)
@ConditionalOnBean({ DualRepositoryRegistry.class, JdbcConverter.class })
@EnableConfigurationProperties(BackfillProperties.class)
public final class DualWriteBackfillAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Backfill dualWriteBackfill(DualRepositoryRegistry registry, BackfillProperties properties, DataSource dataSource,
            PlatformTransactionManager transactionManager, ObjectProvider<RedisConnectionFactory> redisConnectionFactory,
            ObjectProvider<RedisKeyValueAdapter> keyValueAdapters, JdbcConverter converter,
            ObjectProvider<JdbcDialect> dialect, StrategySource strategies, ObjectProvider<MeterRegistry> meterRegistry,
            ObjectProvider<DualWriteSchemaMigration> migration) {
        // The library's tables (checkpoints, rejects) must exist before a run.
        migration.ifAvailable((tablesExist) -> {
        });
        JdbcDialect jdbcDialect = dialect.getIfAvailable();
        BackfillSources sources = new BackfillSources(registry, redisConnectionFactory, keyValueAdapters, converter,
                new JdbcTemplate(dataSource), new TransactionTemplate(transactionManager),
                (jdbcDialect != null) ? jdbcDialect.getIdentifierProcessing() : null);
        Map<String, BackfillOrder> orders = new LinkedHashMap<>();
        properties.getRepositories()
            .forEach((name, repository) -> orders.put(name,
                    new BackfillOrder(repository.getPriority(), repository.getDependsOn())));
        BackfillMetrics metrics = new BackfillMetrics(meterRegistry.getIfAvailable(CompositeMeterRegistry::new));
        // With the control plane, a job waits for every instance to apply DUAL and is recorded
        // in the ledger.
        BackfillListener listener = (strategies instanceof ControlPlane controlPlane)
                ? controlPlane.backfillListener() : BackfillListener.NONE;
        return new Backfill(sources::all, dataSource, metrics, orders, strategies::strategyFor, properties.toOptions(),
                listener);
    }

    // Pairing completes once every singleton exists; then the meters are registered up front.
    @Bean
    static SmartInitializingSingleton dualWriteBackfillMeters(ObjectProvider<Backfill> backfill) {
        return () -> backfill.ifAvailable(Backfill::repositories);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "dual-write.backfill.exit-after-run", matchIfMissing = true, havingValue = true)
    BackfillRunner.Exit dualWriteBackfillExit(ConfigurableApplicationContext context) {
        return BackfillRunner.Exit.systemExit(context);
    }

    @Bean
    @ConditionalOnMissingBean
    BackfillRunner dualWriteBackfillRunner(Backfill backfill, BackfillProperties properties,
            ObjectProvider<BackfillRunner.Exit> exit) {
        return new BackfillRunner(backfill, properties, exit.getIfAvailable(() -> (code) -> {
        }));
    }

}
