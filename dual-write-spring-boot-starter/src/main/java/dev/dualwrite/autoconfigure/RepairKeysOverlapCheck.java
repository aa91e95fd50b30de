package dev.dualwrite.autoconfigure;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.redis.json.SimpleRedisJsonRepository;
import dev.dualwrite.core.repair.RedisRepairKeys;
import dev.dualwrite.core.repair.RedisRepairLog;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Refuses to start when a repair log key falls under the key prefix of a repository of JSON
 * strings (say {@code dual-write.repair.redis-key-prefix=orders:dualwrite:} beside JSON strings
 * under {@code orders:}): that repository scans every key under its prefix, so its backfill and
 * verification would take the log's hashes for malformed values, its {@code count} would count
 * them and its {@code deleteAll} would delete every repository's repair records.
 */
final class RepairKeysOverlapCheck implements SmartInitializingSingleton {

    private final DualRepositoryRegistry registry;

    private final ObjectProvider<RedisRepairLog> redisRepairLog;

    RepairKeysOverlapCheck(DualRepositoryRegistry registry, ObjectProvider<RedisRepairLog> redisRepairLog) {
        this.registry = registry;
        this.redisRepairLog = redisRepairLog;
    }

    @Override
    public void afterSingletonsInstantiated() {
        RedisRepairLog log = this.redisRepairLog.getIfUnique();
        if (log == null) {
            return;
        }
        RedisRepairKeys keys = log.keys();
        for (DualRepository<Object, Object, Object> json : this.registry.all()) {
            if (!(json.old().repository() instanceof SimpleRedisJsonRepository<?, ?> repository)) {
                continue;
            }
            String prefix = repository.getStore().getEntityInformation().getKeyPrefix();
            for (DualRepository<Object, Object, Object> pair : this.registry.all()) {
                if (this.registry.sourceOf(pair.name()).isPresent()) {
                    continue; // its records live in its own database
                }
                for (String key : keys.all(pair.name())) {
                    if (key.startsWith(prefix)) {
                        throw new InvalidConfigurationPropertyValueException("dual-write.repair.redis-key-prefix",
                                keys.prefix(), "repository '" + pair.name() + "' would keep its repair records in '"
                                        + key + "', under the key prefix '" + prefix + "' of the JSON strings of "
                                        + "repository '" + json.name() + "', whose scans and deleteAll take every "
                                        + "key under it; choose a prefix outside every JSON repository's key prefix");
                    }
                }
            }
        }
    }

}
