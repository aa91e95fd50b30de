package dev.dualwrite.autoconfigure.verify;


import dev.dualwrite.autoconfigure.DualWriteAutoConfiguration;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.ledger.Ledger;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.repair.RepairLogs;
import dev.dualwrite.core.routing.WriteCoordinator;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.compare.EntityComparator;
import dev.dualwrite.core.verify.RedisScanners;
import dev.dualwrite.core.verify.ReportRepair;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyOptions;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisKeyValueAdapter;

/**
 * Auto-configuration of the verifier, repair from its reports, and the one-shot run
 * ({@code dual-write.verify.run=<repository>,...}).
 */
@AutoConfiguration(after = DualWriteAutoConfiguration.class)
@ConditionalOnBean({ DualRepositoryRegistry.class, WriteCoordinator.class })
@EnableConfigurationProperties(DualWriteVerifyProperties.class)
public final class DualWriteVerifyAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RedisScanners dualWriteRedisScanners(RedisConnectionFactory connectionFactory,
            ObjectProvider<RedisKeyValueAdapter> keyValueAdapter) {
        return new DefaultRedisScanners(connectionFactory, keyValueAdapter);
    }

    @Bean
    @ConditionalOnMissingBean
    Verifier dualWriteVerifier(RedisScanners scanners, EntityComparator comparator, StrategySource strategies,
            RedisRepairLog redisRepairLog, PostgresRepairLog postgresRepairLog, Ledger ledger) {
        return new Verifier(scanners, comparator, strategies,
                RepairLogs.byStoreToRepair(redisRepairLog, postgresRepairLog), ledger);
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
