package dev.dualwrite.core.store;

import dev.dualwrite.core.redis.json.RedisJsonStore;
import dev.dualwrite.core.redis.json.SimpleRedisJsonRepository;
import org.jspecify.annotations.Nullable;

import org.springframework.data.repository.CrudRepository;
import org.springframework.data.repository.core.EntityInformation;

/**
 * The {@link OldStore} of a Redis repository, in either shape (a Spring Data Redis
 * {@code @RedisHash} repository or a JSON repository), through the undecorated repository
 * (never through the dual-write proxy, which would route the call again). A Redis save
 * replaces the key's value whether or not the key exists, so {@link #upsert} is {@link #save}.
 * @param <R> the Redis entity type
 * @param <ID> the id type
 */
public final class RedisSide<R, ID> extends RepositoryOldStore<R, ID> {

    /**
     * Wrap the target of a Redis repository.
     * @param repository the undecorated repository implementation
     * @param entityInformation the repository's entity metadata, used to read ids
     */
    public RedisSide(CrudRepository<R, ID> repository, EntityInformation<R, ID> entityInformation) {
        super(repository, entityInformation);
    }

    /**
     * Return the store behind a JSON repository (one the library writes itself, so it can write
     * more in the same command), {@code null} for a Spring Data Redis repository.
     * @return the JSON store, or {@code null}
     */
    @SuppressWarnings("unchecked")
    public @Nullable RedisJsonStore<R, ID> jsonStore() {
        return (repository() instanceof SimpleRedisJsonRepository<?, ?> json)
                ? (RedisJsonStore<R, ID>) json.getStore() : null;
    }

    // Both shapes write the whole value whether or not the key exists (a JSON repository
    // SETs the string; Spring Data Redis deletes the hash and writes it anew), so a copy
    // needs nothing more than a save.
    @Override
    public R upsert(R entity) {
        return save(entity);
    }

    @Override
    public String describe() {
        RedisJsonStore<R, ID> json = jsonStore();
        return (json != null) ? "JSON strings under '" + json.getEntityInformation().getKeyPrefix() + "'"
                : "@RedisHash entities of type " + entityType().getSimpleName();
    }

}
