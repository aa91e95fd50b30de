package dev.dualwrite.autoconfigure.inventory;

import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import dev.dualwrite.autoconfigure.DualWriteAutoConfiguration;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.autoconfigure.source.OnRedisScannersOrOldStoreSource;
import dev.dualwrite.core.inventory.BackfillRates;
import dev.dualwrite.core.inventory.CheckpointBackfillRates;
import dev.dualwrite.core.inventory.Inventory;
import dev.dualwrite.core.inventory.InventorySource;
import dev.dualwrite.core.repair.RedisRepairKeys;
import dev.dualwrite.core.repair.RedisRepairLog;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisKeyValueAdapter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.ClassUtils;

/**
 * Auto-configuration of the inventory of the old store: an {@link Inventory} of every paired
 * repository's Redis keys, with backfill estimates from the backfill's checkpoints, and the
 * one-shot run ({@code dual-write.inventory.run=<repository>,...} or {@code all}).
 */
@AutoConfiguration(after = DualWriteAutoConfiguration.class)
@ConditionalOnClass(Inventory.class)
@Conditional(OnRedisScannersOrOldStoreSource.class)
@ConditionalOnBean(DualRepositoryRegistry.class)
@EnableConfigurationProperties(DualWriteInventoryProperties.class)
public final class DualWriteInventoryAutoConfiguration {

    private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
            DualWriteInventoryAutoConfiguration.class.getClassLoader());

    @Bean
    @ConditionalOnMissingBean
    BackfillRates dualWriteBackfillRates(ObjectProvider<DataSource> dataSource) {
        DataSource database = dataSource.getIfUnique();
        return (database != null) ? new CheckpointBackfillRates(new JdbcTemplate(database)) : BackfillRates.NONE;
    }

    @Bean
    @ConditionalOnMissingBean
    Inventory dualWriteInventory(DualRepositoryRegistry registry, ObjectProvider<RedisConnectionFactory> redisConnectionFactory,
            ObjectProvider<RedisKeyValueAdapter> keyValueAdapters, ObjectProvider<RedisRepairLog> redisRepairLog,
            BackfillRates rates, DualWriteInventoryProperties properties) {
        RedisConnectionFactory redisFactory = redisConnectionFactory.getIfAvailable();
        RedisRepairLog repairLog = redisRepairLog.getIfUnique();
        RedisRepairKeys repairKeys = (repairLog != null) ? repairLog.keys() : RedisRepairKeys.DEFAULT;
        // Redis is scanned through Lettuce: without it, only the sources are counted.
        RedisInventorySources redis = (redisFactory != null && LETTUCE_PRESENT)
                ? new RedisInventorySources(registry, redisFactory, keyValueAdapters, repairKeys) : null;
        OldStoreSourceInventories jdbc = new OldStoreSourceInventories(registry);
        // Sources are built at each inventory: pairing completes after this bean exists.
        return new Inventory(() -> {
            List<InventorySource> sources = new ArrayList<>((redis != null) ? redis.all() : List.of());
            sources.addAll(jdbc.all());
            return sources;
        }, rates, properties.toSettings());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "dual-write.inventory.run")
    InventoryOneShotRunner dualWriteInventoryOneShotRunner(Inventory inventory,
            DualWriteInventoryProperties properties, ApplicationContext context) {
        return new InventoryOneShotRunner(inventory, properties.getRun(), properties.isExit(), context, System.out);
    }

}
