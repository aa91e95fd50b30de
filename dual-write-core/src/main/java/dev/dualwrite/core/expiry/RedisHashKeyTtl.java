package dev.dualwrite.core.expiry;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.data.mapping.PersistentPropertyAccessor;
import org.springframework.data.mapping.model.InstantiationAwarePropertyAccessor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.RedisKeyValueAdapter;
import org.springframework.data.redis.core.TimeToLive;
import org.springframework.data.redis.core.convert.RedisConverter;
import org.springframework.data.redis.core.mapping.RedisPersistentEntity;
import org.springframework.data.redis.core.mapping.RedisPersistentProperty;
import org.springframework.util.ClassUtils;

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

    private final RedisKeyValueAdapter adapter;

    private final RedisConverter converter;

    private final RedisPersistentEntity<?> entity;

    private final String keyspace;

    RedisHashKeyTtl(RedisKeyValueAdapter adapter, Class<R> entityType) {
        this.adapter = adapter;
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
    public <T> @Nullable T execute(RedisCallback<T> action) {
        // The adapter's own connection: the one its repositories' keys live on.
        return this.adapter.execute(action);
    }

    @Override
    public List<Companion> companionsOf(ID id) {
        // Expiring a phantom that does not exist is a no-op, so it is always named.
        return List.of(new Companion(keyOf(id) + ":phantom", PHANTOM_AFTER));
    }

    @Override
    public R withTimeToLive(R entity, Duration remaining) {
        RedisPersistentProperty property = this.entity.getExplicitTimeToLiveProperty();
        if (property == null) {
            return entity;
        }
        TimeToLive annotation = property.findAnnotation(TimeToLive.class);
        TimeUnit unit = (annotation != null) ? annotation.unit() : TimeUnit.SECONDS;
        long unitMillis = Math.max(1, unit.toMillis(1));
        // Rounded up: the key is given its exact expiry right after the save.
        long amount = Math.max(1, (remaining.toMillis() + unitMillis - 1) / unitMillis);
        Class<?> type = ClassUtils.resolvePrimitiveIfNecessary(property.getType());
        Object value = (type == Integer.class) ? (Object) (int) Math.min(Integer.MAX_VALUE, amount) : (Object) amount;
        PersistentPropertyAccessor<R> accessor = new InstantiationAwarePropertyAccessor<>(entity,
                this::accessorOf, this.converter.getEntityInstantiators());
        accessor.setProperty(property, value);
        return accessor.getBean();
    }

    @SuppressWarnings("unchecked")
    private PersistentPropertyAccessor<R> accessorOf(R bean) {
        return ((RedisPersistentEntity<R>) this.entity).getPropertyAccessor(bean);
    }

    @Override
    public Optional<Duration> expiryOnSave(R entity) {
        Long seconds = this.entity.getTimeToLiveAccessor().getTimeToLive(entity);
        return Optional.of((seconds != null && seconds > 0) ? Duration.ofSeconds(seconds) : Duration.ZERO);
    }

}
