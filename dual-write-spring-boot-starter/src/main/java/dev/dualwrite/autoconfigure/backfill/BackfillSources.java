package dev.dualwrite.autoconfigure.backfill;

import java.util.ArrayList;
import java.util.List;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.autoconfigure.source.OldStoreSource;
import dev.dualwrite.core.backfill.BackfillSource;
import dev.dualwrite.core.backfill.PostgresBatchWriter;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.redis.json.RedisJsonStore;
import dev.dualwrite.core.redis.json.SimpleRedisJsonRepository;
import dev.dualwrite.core.redis.scan.JsonStringScanner;
import dev.dualwrite.core.redis.scan.RedisHashScanner;
import dev.dualwrite.core.store.scan.OldStoreScanner;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.jdbc.core.convert.JdbcConverter;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.redis.core.RedisKeyValueAdapter;
import org.springframework.data.relational.core.sql.IdentifierProcessing;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.util.ClassUtils;

/**
 * Builds the backfill's view of each paired repository: a scanner of its old store (for a
 * {@link OldStoreSource}, its table by primary key; for Redis, of the shape the repository uses:
 * JSON strings under a prefix, or a {@code @RedisHash} keyspace read with the application's
 * own {@code RedisConverter}) and a batch writer of its table.
 */
final class BackfillSources {

    private static final Logger logger = LoggerFactory.getLogger(BackfillSources.class);

    private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
            BackfillSources.class.getClassLoader());

    private final DualRepositoryRegistry registry;

    private final ObjectProvider<RedisConnectionFactory> redis;

    private final ObjectProvider<RedisKeyValueAdapter> keyValueAdapters;

    private final JdbcConverter converter;

    private final JdbcOperations jdbc;

    private final TransactionOperations transactions;

    private final @Nullable IdentifierProcessing identifiers;

    BackfillSources(DualRepositoryRegistry registry, ObjectProvider<RedisConnectionFactory> redis,
            ObjectProvider<RedisKeyValueAdapter> keyValueAdapters, JdbcConverter converter, JdbcOperations jdbc,
            TransactionOperations transactions, @Nullable IdentifierProcessing identifiers) {
        this.registry = registry;
        this.redis = redis;
        this.keyValueAdapters = keyValueAdapters;
        this.converter = converter;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.identifiers = identifiers;
    }

    List<BackfillSource<?, ?, ?>> all() {
        List<BackfillSource<?, ?, ?>> sources = new ArrayList<>();
        for (DualRepository<Object, Object, Object> pair : this.registry.all()) {
            OldStoreScanner<Object, Object> scanner = scannerOf(pair);
            if (scanner == null) {
                logger.warn("dual-write: repository '{}' cannot be backfilled: its Redis repository ({}) is neither a "
                        + "JSON-string repository nor a @RedisHash repository with one RedisKeyValueAdapter, or Lettuce, "
                        + "the client the Redis scanners use, is not on the classpath", pair.name(),
                        pair.old().repository().getClass().getName());
                continue;
            }
            PostgresBatchWriter<Object> writer = new PostgresBatchWriter<>(pair.postgres(), this.converter, this.jdbc,
                    this.transactions, this.identifiers, pair.expiry());
            // The checkpoints are kept in the same database (the Backfill's data source), and
            // each one's synchronous commit flushes the batches before it.
            writer.setAsynchronousCommit(true);
            sources.add(new BackfillSource<>(pair, scanner, writer));
        }
        return sources;
    }

    @SuppressWarnings("unchecked")
    private @Nullable OldStoreScanner<Object, Object> scannerOf(DualRepository<Object, Object, Object> pair) {
        OldStoreSource source = this.registry.sourceOf(pair.name()).orElse(null);
        if (source != null) {
            return source.scannerOf(pair.old().entityType(), pair.old().idType());
        }
        if (!LETTUCE_PRESENT) {
            return null; // Redis is scanned through Lettuce
        }
        Object target = pair.old().repository();
        if (target instanceof SimpleRedisJsonRepository<?, ?> json) {
            RedisJsonStore<Object, Object> store = (RedisJsonStore<Object, Object>) json.getStore();
            // The store's own connection: a repository with its own redisConnectionFactoryRef keeps its
            // keys elsewhere than the application's default Redis.
            return new JsonStringScanner<>(store.getRedisTemplate().getRequiredConnectionFactory(),
                    store.getEntityInformation(), store.getCodec());
        }
        Class<Object> type = pair.old().entityType();
        if (type.isAnnotationPresent(RedisHash.class)) {
            RedisKeyValueAdapter adapter = this.keyValueAdapters.getIfUnique();
            RedisConnectionFactory redis = this.redis.getIfAvailable();
            if (adapter == null || redis == null) {
                return null;
            }
            return new RedisHashScanner<>(redis, adapter.getConverter(), type, pair.old().idType());
        }
        return null;
    }

}
