package dev.dualwrite.core.expiry;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.springframework.data.redis.core.RedisKeyValueAdapter;
import org.springframework.data.redis.core.convert.RedisConverter;
import org.springframework.data.redis.core.mapping.RedisPersistentEntity;

/**
 * The keys of a Spring Data Redis {@code @RedisHash} type: {@code <keyspace>:<id>}, and the
 * phantom copy the adapter keeps five minutes longer when it publishes expiry events. A
 * save gives the key the entity's time to live ({@code @TimeToLive}, {@code @RedisHash(timeToLive)}
 * or the keyspace's default) and otherwise none: the adapter rewrites the whole hash.
 * @param <R> the entity type
 * @param <ID> the id type
 */
final class RedisHashKeyTtl<R, ID> implements RedisKeyTtl<R, ID> {

    // RedisKeyValueAdapter.PHANTOM_KEY_TTL, in seconds.
    private static final Duration PHANTOM_AFTER = Duration.ofMinutes(5);

    private final RedisConverter converter;

    private final RedisPersistentEntity<?> entity;

    private final String keyspace;

    RedisHashKeyTtl(RedisKeyValueAdapter adapter, Class<R> entityType) {
        this.converter = adapter.getConverter();
        this.entity = this.converter.getMappingContext().getRequiredPersistentEntity(entityType);
        String keyspace = this.entity.getKeySpace();
        if (keyspace == null) {
            throw new IllegalStateException("dual-write expiry: " + entityType.getName() + " has no Redis keyspace");
        }
        this.keyspace = keyspace;
    }

    @Override
    public String keyOf(ID id) {
        return this.keyspace + ":" + this.converter.getConversionService().convert(id, String.class);
    }

    @Override
    public List<Companion> companionsOf(ID id) {
        // Expiring a phantom that does not exist is a no-op, so it is always named.
        return List.of(new Companion(keyOf(id) + ":phantom", PHANTOM_AFTER));
    }

    @Override
    public Optional<Duration> expiryOnSave(R entity) {
        Long seconds = this.entity.getTimeToLiveAccessor().getTimeToLive(entity);
        return Optional.of((seconds != null && seconds > 0) ? Duration.ofSeconds(seconds) : Duration.ZERO);
    }

}
