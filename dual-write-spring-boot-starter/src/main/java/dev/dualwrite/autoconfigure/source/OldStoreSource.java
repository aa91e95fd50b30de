package dev.dualwrite.autoconfigure.source;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.dualwrite.core.inventory.InventorySource;
import dev.dualwrite.core.repair.OldStoreRepairLog;
import dev.dualwrite.core.store.OldStore;
import dev.dualwrite.core.store.scan.OldStoreScanner;

import org.springframework.data.repository.CrudRepository;
import org.springframework.data.repository.core.EntityInformation;

/**
 * An old store to migrate from, other than Redis (whose repositories the starter knows by
 * their factory beans): declared as a bean, it lists the application's repositories whose data
 * lives in it, and gives the library what it needs of the store. A listed repository is
 * decorated and paired like a Redis one (by a {@code RepositoryPairing} naming it first, by
 * {@code dual-write.repositories.<name>} bean names, or with the single Spring Data JDBC
 * repository of its domain type that no source lists), then walks the same four stages, with
 * the backfill, the verifier, the reconciler and the inventory.
 * <p>
 * {@link JdbcSource} is the library's own, for relational databases. For a store of another
 * kind, implement this over its Spring Data repositories: an {@link OldStore} (extend
 * {@code RepositoryOldStore}), a repair log kept in the store itself and a scanner, the last two
 * proven with the contract tests the core's test jar publishes ({@code docs/old-store.md}). A
 * store with transactions implements {@link OldStore#writesJoinCallersTransaction()}, so that a
 * write made in a transaction is copied to PostgreSQL once it has committed.
 */
public interface OldStoreSource {

    /**
     * Return the source's name, for logs and errors.
     * @return the name
     */
    String name();

    /**
     * Return the repository interfaces whose data lives in this store.
     * @return the interfaces
     */
    List<Class<?>> repositories();

    /**
     * Tell whether this source lists a repository interface.
     * @param repositoryInterface a repository interface
     * @return whether its data lives in this store
     */
    default boolean lists(Class<?> repositoryInterface) {
        return repositories().contains(repositoryInterface);
    }

    /**
     * Return the old store of one listed repository, over its undecorated implementation (never
     * the dual-write proxy, which would route the calls again); called once per repository.
     * @param repository the repository's implementation
     * @param entityInformation its entity metadata
     * @param <R> the entity type
     * @param <ID> the id type
     * @return the old store
     */
    <R, ID> OldStore<R, ID> oldStore(CrudRepository<R, ID> repository, EntityInformation<R, ID> entityInformation);

    /**
     * Return the log, kept in this store, of the listed repositories' repair records and write
     * intents; called once, when the first listed repository is paired.
     * @param interruptedWriteGrace age from which an intent is taken for an interrupted write
     * @param inFlightGrace age from which an intent counts as backlog
     * @return the repair log
     */
    OldStoreRepairLog repairLog(Duration interruptedWriteGrace, Duration inFlightGrace);

    /**
     * Return a new scanner of one of the listed repositories' entity types, for the backfill and
     * the verifier.
     * @param entityType the entity type
     * @param idType its id type
     * @param <R> the entity type
     * @param <ID> the id type
     * @return the scanner
     */
    <R, ID> OldStoreScanner<R, ID> scannerOf(Class<R> entityType, Class<ID> idType);

    /**
     * Return the inventory of some of the listed repositories, if this store can take one.
     * @param repositories each paired repository's name and entity type
     * @return the inventory source; empty by default
     */
    default Optional<InventorySource> inventory(Map<String, Class<?>> repositories) {
        return Optional.empty();
    }

}
