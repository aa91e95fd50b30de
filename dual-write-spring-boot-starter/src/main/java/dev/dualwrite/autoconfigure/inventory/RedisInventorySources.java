package dev.dualwrite.autoconfigure.inventory;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.inventory.InventorySource;
import dev.dualwrite.core.inventory.RedisInventory;
import dev.dualwrite.core.inventory.RepositoryKeys;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.redis.json.RedisJsonStore;
import dev.dualwrite.core.redis.json.SimpleRedisJsonRepository;
import dev.dualwrite.core.repair.RedisRepairKeys;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.mapping.PersistentProperty;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.redis.core.RedisKeyValueAdapter;
import org.springframework.data.redis.core.convert.RedisConverter;
import org.springframework.data.redis.core.index.GeoIndexDefinition;
import org.springframework.data.redis.core.index.GeoIndexed;
import org.springframework.data.redis.core.index.IndexDefinition;
import org.springframework.data.redis.core.index.Indexed;
import org.springframework.data.redis.core.mapping.RedisMappingContext;
import org.springframework.data.redis.core.mapping.RedisPersistentEntity;
import org.springframework.data.redis.core.mapping.RedisPersistentProperty;

/**
 * Builds the inventory's view of the paired repositories: the keys each one keeps (found the
 * way the backfill's scanners find them: a JSON-string repository's own key prefix and
 * connections; a {@code @RedisHash} repository's keyspace, indexed properties and index
 * definitions from the {@link RedisKeyValueAdapter}'s mapping), grouped by the Redis they live
 * in, so each Redis is scanned once.
 */
final class RedisInventorySources {

    private static final Logger logger = LoggerFactory.getLogger(RedisInventorySources.class);

    // Nested entities are walked for @Indexed properties this deep, as Spring Data indexes them.
    private static final int MAX_DEPTH = 4;

    private final DualRepositoryRegistry registry;

    private final RedisConnectionFactory redis;

    private final ObjectProvider<RedisKeyValueAdapter> keyValueAdapters;

    private final RedisRepairKeys repairKeys;

    RedisInventorySources(DualRepositoryRegistry registry, RedisConnectionFactory redis,
            ObjectProvider<RedisKeyValueAdapter> keyValueAdapters, RedisRepairKeys repairKeys) {
        this.registry = registry;
        this.redis = redis;
        this.keyValueAdapters = keyValueAdapters;
        this.repairKeys = repairKeys;
    }

    List<InventorySource> all() {
        // By identity: two factories to one server are two stores here, and one scan each.
        Map<RedisConnectionFactory, List<RepositoryKeys>> byStore = new IdentityHashMap<>();
        List<RedisConnectionFactory> stores = new ArrayList<>();
        for (DualRepository<Object, Object, Object> pair : this.registry.all()) {
            if (this.registry.sourceOf(pair.name()).isPresent()) {
                continue; // a source's repository: OldStoreSourceInventories takes it
            }
            Object target = pair.old().repository();
            if (target instanceof SimpleRedisJsonRepository<?, ?> json) {
                RedisJsonStore<?, ?> store = json.getStore();
                // The store's own connections: a repository with its own redisConnectionFactoryRef
                // keeps its keys elsewhere than the application's default Redis.
                RedisConnectionFactory factory = store.getRedisTemplate().getRequiredConnectionFactory();
                add(byStore, stores, factory,
                        RepositoryKeys.jsonStrings(pair.name(), store.getEntityInformation().getKeyPrefix())
                            .withRepairKeys(this.repairKeys));
                continue;
            }
            Class<Object> type = pair.old().entityType();
            RedisKeyValueAdapter adapter = this.keyValueAdapters.getIfUnique();
            if (type.isAnnotationPresent(RedisHash.class) && adapter != null) {
                add(byStore, stores, this.redis,
                        hashKeys(pair.name(), type, adapter.getConverter()).withRepairKeys(this.repairKeys));
                continue;
            }
            logger.warn("dual-write inventory: repository '{}' is left out: its Redis repository ({}) is neither a "
                    + "JSON-string repository nor a @RedisHash repository with one RedisKeyValueAdapter", pair.name(),
                    target.getClass().getName());
        }
        List<InventorySource> sources = new ArrayList<>();
        stores.forEach((factory) -> sources.add(new RedisInventory(describe(factory), factory, byStore.get(factory))));
        return sources;
    }

    private static void add(Map<RedisConnectionFactory, List<RepositoryKeys>> byStore,
            List<RedisConnectionFactory> stores, RedisConnectionFactory factory, RepositoryKeys keys) {
        if (!byStore.containsKey(factory)) {
            stores.add(factory);
        }
        byStore.computeIfAbsent(factory, (f) -> new ArrayList<>()).add(keys);
    }

    static RepositoryKeys hashKeys(String repository, Class<?> type, RedisConverter converter) {
        RedisMappingContext context = converter.getMappingContext();
        RedisPersistentEntity<?> entity = context.getRequiredPersistentEntity(type);
        String keyspace = entity.getKeySpace();
        if (keyspace == null) {
            throw new IllegalStateException("Repository '" + repository + "': " + type.getName()
                    + " has no Redis keyspace");
        }
        Set<String> indexes = new LinkedHashSet<>();
        Set<String> geoIndexes = new LinkedHashSet<>();
        Set<String> mapIndexes = new LinkedHashSet<>();
        // Definitions registered in the mapping configuration, and those @Indexed/@GeoIndexed
        // declare (Spring Data adds those only when it first writes an entity).
        for (IndexDefinition definition : context.getMappingConfiguration()
            .getIndexConfiguration()
            .getIndexDefinitionsFor(keyspace)) {
            (definition instanceof GeoIndexDefinition ? geoIndexes : indexes).add(definition.getIndexName());
        }
        walk(context, entity, "", indexes, geoIndexes, mapIndexes, 0);
        return RepositoryKeys.redisHash(repository, keyspace, indexes, geoIndexes, mapIndexes);
    }

    // As Spring Data's PathIndexResolver names index sets: an element of a collection adds no
    // segment ("addresses.city"), an entry of a map adds its key ("attributes.<key>", or
    // "attributes.<key>.city" for entity values), so a map's indexes are known by prefix only.
    private static void walk(RedisMappingContext context, RedisPersistentEntity<?> entity, String path,
            Set<String> indexes, Set<String> geoIndexes, Set<String> mapIndexes, int depth) {
        for (RedisPersistentProperty property : entity) {
            String propertyPath = path + property.getName();
            if (property.isAnnotationPresent(GeoIndexed.class)) {
                geoIndexes.add(propertyPath);
            }
            else if (property.isAnnotationPresent(Indexed.class)) {
                (property.isMap() ? mapIndexes : indexes).add(propertyPath);
            }
            RedisPersistentEntity<?> nested = nestedEntity(context, property);
            if (nested == null || depth >= MAX_DEPTH) {
                continue;
            }
            if (property.isMap()) {
                Set<String> inside = new LinkedHashSet<>();
                walk(context, nested, "", inside, inside, inside, depth + 1);
                if (!inside.isEmpty()) {
                    mapIndexes.add(propertyPath);
                }
            }
            else {
                walk(context, nested, propertyPath + ".", indexes, geoIndexes, mapIndexes, depth + 1);
            }
        }
    }

    // The entity of a property, of a collection's elements or of a map's values.
    private static @Nullable RedisPersistentEntity<?> nestedEntity(RedisMappingContext context,
            PersistentProperty<?> property) {
        if (!property.isEntity()) {
            return null;
        }
        return context.getPersistentEntity(property.getActualType());
    }

    static String describe(RedisConnectionFactory factory) {
        if (factory instanceof LettuceConnectionFactory lettuce) {
            if (lettuce.isClusterAware() && lettuce.getClusterConfiguration() != null) {
                return "Redis Cluster " + lettuce.getClusterConfiguration().getClusterNodes();
            }
            if (lettuce.isRedisSentinelAware() && lettuce.getSentinelConfiguration() != null
                    && lettuce.getSentinelConfiguration().getMaster() != null) {
                return "Redis (Sentinel master '" + lettuce.getSentinelConfiguration().getMaster().getName()
                        + "'), database " + lettuce.getDatabase();
            }
            return "Redis " + lettuce.getHostName() + ":" + lettuce.getPort() + ", database " + lettuce.getDatabase();
        }
        return "Redis (" + factory.getClass().getSimpleName() + ")";
    }

}
