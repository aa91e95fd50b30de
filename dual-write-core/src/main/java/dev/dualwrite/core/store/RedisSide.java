package dev.dualwrite.core.store;

import java.util.Optional;

import dev.dualwrite.core.redis.json.RedisJsonStore;
import dev.dualwrite.core.redis.json.SimpleRedisJsonRepository;
import org.jspecify.annotations.Nullable;

import org.springframework.data.repository.CrudRepository;
import org.springframework.data.repository.core.EntityInformation;
import org.springframework.util.Assert;

/**
 * Key-level access to one repository's Redis store, through the undecorated Spring Data
 * repository (never through the dual-write proxy, which would route the call again).
 * @param <R> the Redis entity type
 * @param <ID> the id type
 */
public final class RedisSide<R, ID> {

    private final CrudRepository<R, ID> repository;

    private final EntityInformation<R, ID> entityInformation;

    /**
     * Wrap the target of a Redis repository.
     * @param repository the undecorated repository implementation
     * @param entityInformation the repository's entity metadata, used to read ids
     */
    public RedisSide(CrudRepository<R, ID> repository, EntityInformation<R, ID> entityInformation) {
        Assert.notNull(repository, "repository must not be null");
        Assert.notNull(entityInformation, "entityInformation must not be null");
        this.repository = repository;
        this.entityInformation = entityInformation;
    }

    /**
     * Return the undecorated repository implementation, so that tools that need the store's
     * own access (the backfill's scan) can tell its shape.
     * @return the repository behind this side
     */
    public CrudRepository<R, ID> repository() {
        return this.repository;
    }

    /**
     * Return the store behind a JSON repository (one the library writes itself, so it can write
     * more in the same command), {@code null} for a Spring Data Redis repository.
     * @return the JSON store, or {@code null}
     */
    @SuppressWarnings("unchecked")
    public @Nullable RedisJsonStore<R, ID> jsonStore() {
        return (this.repository instanceof SimpleRedisJsonRepository<?, ?> json)
                ? (RedisJsonStore<R, ID>) json.getStore() : null;
    }

    public Optional<R> load(ID id) {
        return this.repository.findById(id);
    }

    public R save(R entity) {
        return this.repository.save(entity);
    }

    public void delete(ID id) {
        this.repository.deleteById(id);
    }

    public Iterable<R> findAll() {
        return this.repository.findAll();
    }

    /**
     * Return the id of an entity, or {@code null} when it has none yet.
     * @param entity the entity
     * @return its id
     */
    public ID idOf(R entity) {
        return this.entityInformation.getId(entity);
    }

    public Class<R> entityType() {
        return this.entityInformation.getJavaType();
    }

    public Class<ID> idType() {
        return this.entityInformation.getIdType();
    }

}
