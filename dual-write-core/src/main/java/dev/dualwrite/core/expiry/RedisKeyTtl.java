package dev.dualwrite.core.expiry;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.dualwrite.core.redis.json.RedisJsonStore;
import dev.dualwrite.core.redis.json.SimpleRedisJsonRepository;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.RedisKeyValueAdapter;
import org.springframework.data.repository.CrudRepository;
import org.springframework.util.Assert;

/**
 * What the expiry of one repository needs to know of its Redis shape: the key of an id,
 * the keys that must expire with it, and the expiry a save of an entity gives that key.
 * @param <R> the Redis entity type
 * @param <ID> the id type
 */
public interface RedisKeyTtl<R, ID> {

    /**
     * Return the Redis key of an id.
     * @param id the id
     * @return the key
     */
    String keyOf(ID id);

    /**
     * Return keys kept alongside the key that expire a fixed time after it (Spring Data
     * Redis's phantom copy of a {@code @RedisHash}), with that time; they are removed when the
     * key is made persistent.
     * @param id the id
     * @return the companion keys, often none
     */
    default List<Companion> companionsOf(ID id) {
        return List.of();
    }

    /**
     * Return the expiry a save of this entity gives its key in Redis.
     * @param entity the entity being saved
     * @return empty when the key keeps its current expiry, {@link Duration#ZERO} when the save
     * removes it, otherwise the time to live from now
     */
    Optional<Duration> expiryOnSave(R entity);

    /**
     * Return the entity with its time-to-live property (if its type declares one) set to the
     * time left, so that the store's own save gives the key that expiry, and whatever the
     * store keeps for an expiring key (the phantom copy of a {@code @RedisHash}) with it.
     * @param entity the entity about to be saved
     * @param remaining the time left; positive
     * @return the entity, a new instance for an immutable type
     */
    default R withTimeToLive(R entity, Duration remaining) {
        return entity;
    }

    /**
     * Run a command on the Redis that holds the keys: the repository's own connection, which
     * need not be the application's default (a key read elsewhere would look gone).
     * @param action the command
     * @param <T> its result type
     * @return its result
     */
    <T> @Nullable T execute(RedisCallback<T> action);

    /**
     * A key that expires {@code after} the key it accompanies.
     * @param key the key
     * @param after how long after the main key it expires
     */
    record Companion(String key, Duration after) {
    }

    /**
     * Return the key expiry of a repository implementation the library knows: a JSON-string
     * repository ({@link SimpleRedisJsonRepository}) or, given the adapter, a Spring Data
     * Redis {@code @RedisHash} repository.
     * @param repository the undecorated Redis repository
     * @param entityType its entity type
     * @param adapter the key-value adapter of the {@code @RedisHash} repository (its keys are
     * read through it), or {@code null}
     * @param <R> the entity type
     * @param <ID> the id type
     * @return the key expiry
     * @throws IllegalStateException when the repository is of neither shape
     */
    static <R, ID> RedisKeyTtl<R, ID> of(CrudRepository<R, ID> repository, Class<R> entityType,
            @Nullable RedisKeyValueAdapter adapter) {
        Assert.notNull(repository, "repository must not be null");
        if (repository instanceof SimpleRedisJsonRepository<R, ID> json) {
            RedisJsonStore<R, ID> store = json.getStore();
            return new RedisKeyTtl<>() {

                @Override
                public String keyOf(ID id) {
                    return store.getEntityInformation().getKey(id);
                }

                @Override
                public <T> @Nullable T execute(RedisCallback<T> action) {
                    return store.getRedisTemplate().execute(action);
                }

                @Override
                public Optional<Duration> expiryOnSave(R entity) {
                    return store.expiryOnSave(entity);
                }

                @Override
                public R withTimeToLive(R entity, Duration remaining) {
                    return store.withTimeToLive(entity, remaining);
                }

            };
        }
        if (adapter == null) {
            throw new IllegalStateException("dual-write expiry: the Redis repository of " + entityType.getName()
                    + " is neither a JSON-string repository nor backed by a RedisKeyValueAdapter");
        }
        return new RedisHashKeyTtl<>(adapter, entityType);
    }

}
