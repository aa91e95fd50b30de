package dev.dualwrite.autoconfigure;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.redis.json.SimpleRedisJsonRepository;
import dev.dualwrite.core.repair.RedisRepairKeys;
import dev.dualwrite.core.repair.RedisRepairLog;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.redis.core.RedisKeyValueAdapter;

/**
 * Refuses to start when a repair log key falls where a paired Redis repository takes every
 * key: under the key prefix of a repository of JSON strings (say
 * {@code dual-write.repair.redis-key-prefix=orders:dualwrite:} beside JSON strings under
 * {@code orders:}), whose scans would take the log's hashes for malformed values, whose
 * {@code count} would count them and whose {@code deleteAll} would delete them, or under
 * {@code <keyspace>:} of a {@code @RedisHash} repository, whose {@code deleteAll} deletes every
 * key there. A JSON repository with connections of its own ({@code redisConnectionFactoryRef})
 * is not compared: its keys live on another Redis, as far as this check can tell.
 */
final class RepairKeysOverlapCheck implements SmartInitializingSingleton {

    private final DualRepositoryRegistry registry;

    private final ObjectProvider<RedisRepairLog> redisRepairLog;

    private final RedisConnectionFactory logConnections;

    private final ObjectProvider<RedisKeyValueAdapter> keyValueAdapters;

    RepairKeysOverlapCheck(DualRepositoryRegistry registry, ObjectProvider<RedisRepairLog> redisRepairLog,
            RedisConnectionFactory logConnections, ObjectProvider<RedisKeyValueAdapter> keyValueAdapters) {
        this.registry = registry;
        this.redisRepairLog = redisRepairLog;
        this.logConnections = logConnections;
        this.keyValueAdapters = keyValueAdapters;
    }

    @Override
    public void afterSingletonsInstantiated() {
        RedisRepairLog log = this.redisRepairLog.getIfUnique();
        if (log == null) {
            return;
        }
        RedisRepairKeys keys = log.keys();
        // By name, so that the refusal names the same key at every start.
        List<DualRepository<Object, Object, Object>> pairs = new ArrayList<>(this.registry.all());
        pairs.sort(Comparator.comparing(DualRepository::name));
        for (DualRepository<Object, Object, Object> taker : pairs) {
            String taken = takenPrefix(taker);
            if (taken == null) {
                continue;
            }
            for (DualRepository<Object, Object, Object> pair : pairs) {
                if (this.registry.sourceOf(pair.name()).isPresent()) {
                    continue; // its records live in its own database
                }
                for (String key : keys.all(pair.name())) {
                    if (key.startsWith(taken)) {
                        throw new InvalidConfigurationPropertyValueException("dual-write.repair.redis-key-prefix",
                                keys.prefix(), "repository '" + pair.name() + "' would keep its repair records in '"
                                        + key + "', under '" + taken + "', where every key belongs to repository '"
                                        + taker.name() + "' (its deleteAll deletes them all); choose a prefix outside "
                                        + "every Redis repository's key prefix or keyspace");
                    }
                }
            }
        }
    }

    // Where a repository takes every key, on the log's Redis; null when it takes none there.
    private @Nullable String takenPrefix(DualRepository<Object, Object, Object> pair) {
        Object target = pair.old().repository();
        if (target instanceof SimpleRedisJsonRepository<?, ?> json) {
            boolean sameRedis = json.getStore().getRedisTemplate().getConnectionFactory() == this.logConnections;
            return sameRedis ? json.getStore().getEntityInformation().getKeyPrefix() : null;
        }
        RedisKeyValueAdapter adapter = this.keyValueAdapters.getIfUnique();
        if (adapter != null && pair.old().entityType().isAnnotationPresent(RedisHash.class)) {
            String keyspace = adapter.getConverter()
                .getMappingContext()
                .getRequiredPersistentEntity(pair.old().entityType())
                .getKeySpace();
            return (keyspace != null) ? keyspace + ":" : null;
        }
        return null;
    }

}
