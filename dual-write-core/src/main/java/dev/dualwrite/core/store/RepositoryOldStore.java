package dev.dualwrite.core.store;

import java.util.Optional;

import org.jspecify.annotations.Nullable;

import org.springframework.data.repository.CrudRepository;
import org.springframework.data.repository.core.EntityInformation;
import org.springframework.util.Assert;

/**
 * An {@link OldStore} over a Spring Data repository: reads, the application's own saves and
 * deletes go straight to the undecorated repository (never through the dual-write proxy, which
 * would route the call again), and ids come from its entity metadata. A subclass says how a copy
 * is written ({@link #upsert}) and how the store is described.
 * @param <R> the old store's entity type
 * @param <ID> the id type
 */
public abstract class RepositoryOldStore<R, ID> implements OldStore<R, ID> {

    private final CrudRepository<R, ID> repository;

    private final EntityInformation<R, ID> entityInformation;

    /**
     * @param repository the undecorated repository implementation
     * @param entityInformation the repository's entity metadata, used to read ids
     */
    protected RepositoryOldStore(CrudRepository<R, ID> repository, EntityInformation<R, ID> entityInformation) {
        Assert.notNull(repository, "repository must not be null");
        Assert.notNull(entityInformation, "entityInformation must not be null");
        this.repository = repository;
        this.entityInformation = entityInformation;
    }

    @Override
    public CrudRepository<R, ID> repository() {
        return this.repository;
    }

    /**
     * Save through the repository, with its own semantics.
     * @param entity the entity
     * @return the saved entity, as the repository returned it
     */
    @Override
    public R save(R entity) {
        return this.repository.save(entity);
    }

    @Override
    public void delete(ID id) {
        this.repository.deleteById(id);
    }

    @Override
    public Optional<R> load(ID id) {
        return this.repository.findById(id);
    }

    @Override
    public Iterable<R> findAll() {
        return this.repository.findAll();
    }

    @Override
    public @Nullable ID idOf(R entity) {
        return this.entityInformation.getId(entity);
    }

    @Override
    public Class<R> entityType() {
        return this.entityInformation.getJavaType();
    }

    @Override
    public Class<ID> idType() {
        return this.entityInformation.getIdType();
    }

}
