package dev.dualwrite.autoconfigure.repository;

import java.time.Clock;
import java.time.Duration;

import dev.dualwrite.autoconfigure.properties.DualWriteProperties;
import dev.dualwrite.core.expiry.ExpiryColumn;
import dev.dualwrite.core.expiry.KeyExpiry;
import dev.dualwrite.core.expiry.RedisKeyTtl;
import dev.dualwrite.core.redis.json.SimpleRedisJsonRepository;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.redis.core.RedisKeyValueAdapter;
import org.springframework.data.relational.core.mapping.RelationalMappingContext;
import org.springframework.data.repository.CrudRepository;
import org.springframework.jdbc.core.JdbcOperations;

/**
 * Builds the {@link KeyExpiry} of each paired repository: from
 * {@code dual-write.repositories.<name>.expiry.property}, or else the PostgreSQL entity's
 * property annotated with {@link dev.dualwrite.core.expiry.ExpiresAt}; none when neither is
 * there.
 */
public class RepositoryExpiries {

    private static final Duration DEFAULT_TOLERANCE = new DualWriteProperties.RepositoryExpiry().getTolerance();

    private static final Logger logger = LoggerFactory.getLogger(RepositoryExpiries.class);

    private final DualWriteProperties properties;

    private final RelationalMappingContext mappingContext;

    private final ObjectProvider<RedisKeyValueAdapter> keyValueAdapter;

    private final JdbcOperations jdbc;

    /**
     * @param properties the per-repository expiry properties
     * @param mappingContext PostgreSQL mapping metadata
     * @param keyValueAdapter the adapter of {@code @RedisHash} repositories, if any
     * @param jdbc PostgreSQL access for live counts and the sweep
     */
    public RepositoryExpiries(DualWriteProperties properties, RelationalMappingContext mappingContext,
            ObjectProvider<RedisKeyValueAdapter> keyValueAdapter,
            JdbcOperations jdbc) {
        this.properties = properties;
        this.mappingContext = mappingContext;
        this.keyValueAdapter = keyValueAdapter;
        this.jdbc = jdbc;
    }

    /**
     * Return the expiry of one paired repository.
     * @param name the repository name
     * @param redisTarget the undecorated Redis repository
     * @param redisType the Redis entity type
     * @param postgresType the PostgreSQL entity type
     * @return its expiry, {@link KeyExpiry#none()} when it carries none
     * @throws IllegalStateException when the configured property is missing or of a wrong type
     */
    public KeyExpiry<Object, Object, Object> expiryOf(String name, CrudRepository<Object, Object> redisTarget,
            Class<Object> redisType, Class<Object> postgresType) {
        DualWriteProperties.Repository configured = this.properties.getRepositories().get(name);
        @Nullable String property = (configured != null) ? configured.getExpiry().getProperty() : null;
        Duration tolerance = (configured != null) ? configured.getExpiry().getTolerance() : DEFAULT_TOLERANCE;
        if (tolerance == null || tolerance.isNegative()) {
            throw new IllegalStateException("dual-write.repositories." + name + ".expiry.tolerance must not be "
                    + "negative, was " + tolerance);
        }
        ExpiryColumn<Object> column;
        try {
            column = ExpiryColumn.find(this.mappingContext, postgresType, property);
        }
        catch (IllegalStateException ex) {
            // The whole story is in the message; the cause would only add find()'s stack. The
            // property name is only the source when it was configured (else: @ExpiresAt).
            String source = (property != null) ? "dual-write.repositories." + name + ".expiry.property"
                    : "@ExpiresAt of repository '" + name + "'";
            throw new IllegalStateException(source + ": " + ex.getMessage());
        }
        if (column == null) {
            return KeyExpiry.none();
        }
        logger.info("dual-write: repository '{}' carries key expiries in {}.{}", name, postgresType.getSimpleName(),
                column.propertyName());
        // The keys are read through the repository's own Redis (a JSON repository's store, a
        // @RedisHash repository's adapter), not the application's default connection: on
        // another server or database every key would look gone.
        RedisKeyValueAdapter adapter = (redisTarget instanceof SimpleRedisJsonRepository<?, ?>) ? null
                : adapterOf(name);
        return KeyExpiry.of(column, RedisKeyTtl.of(redisTarget, redisType, adapter), this.jdbc, Clock.systemUTC(),
                tolerance);
    }

    private @Nullable RedisKeyValueAdapter adapterOf(String name) {
        if (this.keyValueAdapter.stream().limit(2).count() > 1) {
            throw new IllegalStateException("dual-write: repository '" + name + "' carries key expiries, but the "
                    + "application has several RedisKeyValueAdapter beans and the library cannot tell which one "
                    + "stores its @RedisHash keys; keep one adapter, or remove the expiry property of '" + name + "'");
        }
        return this.keyValueAdapter.getIfAvailable();
    }

}
