package dev.dualwrite.core.store;

import java.util.Optional;

import org.jspecify.annotations.Nullable;

import org.springframework.data.repository.CrudRepository;

/**
 * Key-level access to one repository's old store (the store the data moves away from: Redis,
 * or another) through its undecorated repository, never through the dual-write proxy, which
 * would route the call again.
 * <p>
 * The write path, the reconciler and repair reach the old store through this interface (the
 * Redis implementation also offers what only Redis can do: a JSON repository's value and its
 * write intent in one script; the backfill, the verifier and the inventory read Redis through
 * their own scanners for now). The library calls {@link #save} and {@link #delete} for the
 * application's own writes, and {@link #upsert} and {@link #delete} for the state it copies
 * into the old store from PostgreSQL; it makes those copies holding the key's PostgreSQL
 * advisory lock. So {@code upsert} must write the given state whether or not the key exists,
 * and {@code delete} must accept a missing key. None may route through the dual-write proxy.
 * @param <R> the old store's entity type
 * @param <ID> the id type
 */
public interface OldStore<R, ID> {

    /**
     * Save an entity as the application's own write would, with the store's semantics: the
     * primary write of the stages in which the old store is primary.
     * @param entity the entity
     * @return the saved entity, as the store returned it (with its id when the store makes one)
     */
    R save(R entity);

    /**
     * Insert or replace the entity by its id, whether or not the key exists: how the library
     * copies a state read from PostgreSQL into the old store. After it returns, the key holds
     * exactly this entity.
     * @param entity the entity, with its id set
     * @return the stored entity
     */
    R upsert(R entity);

    /**
     * Delete the entity with this id; deleting a missing key is fine.
     * @param id the id
     */
    void delete(ID id);

    /**
     * Read the entity with this id.
     * @param id the id
     * @return the entity, or empty when the key does not exist
     */
    Optional<R> load(ID id);

    /**
     * Return every entity of the repository, at once: only for {@code deleteAll()}, on stores
     * small enough to enumerate in memory (the backfill and verifier scan instead).
     * @return every entity
     */
    Iterable<R> findAll();

    /**
     * Return the id of an entity, or {@code null} when it has none yet (the store makes it on
     * save).
     * @param entity the entity
     * @return its id, or {@code null}
     */
    @Nullable ID idOf(R entity);

    /**
     * Return the old store's entity type.
     * @return the type of the repository's entities
     */
    Class<R> entityType();

    /**
     * Return the id type, into which keys are converted.
     * @return the type of the repository's ids
     */
    Class<ID> idType();

    /**
     * Return the undecorated repository implementation, so that tools that need the store's
     * own access (the backfill's scan, the inventory) can tell its shape.
     * @return the repository behind this store
     */
    CrudRepository<R, ID> repository();

    /**
     * Describe where the entities live, for logs and reports (for example
     * {@code JSON strings under 'token:'}).
     * @return a short, human-readable description
     */
    String describe();

    /**
     * Tell whether a write made now, on the calling thread, may join a transaction of the
     * caller's that is still open when the write returns, so that another connection would not
     * see it until that transaction ends. The write path then
     * writes the key's intent in that transaction and copies the key to PostgreSQL once the
     * transaction has ended, not before.
     * @return whether a transaction may hold this store's writes; {@code false} for a store
     * without transactions (Redis)
     */
    default boolean writesJoinCallersTransaction() {
        return false;
    }

}
