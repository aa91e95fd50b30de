package dev.dualwrite.core.routing;

import java.util.Optional;
import java.util.function.Supplier;

import dev.dualwrite.core.metrics.DualWriteMetrics;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.secondary.SecondaryWriteGuard;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.Assert;

/**
 * Carries out single-key saves and deletes in the order a {@link WriteStrategy} fixes: the
 * primary first (its failure fails the call and nothing else is written), then the
 * secondary through the {@link SecondaryWriteGuard}.
 * <p>
 * A secondary write never copies the caller's payload: holding the key's PostgreSQL
 * advisory lock, it re-reads the primary's current state and copies that (or deletes the
 * key when the primary has none). Secondary writes of one key are therefore serialised
 * and the last one to run copies the final state, whatever order concurrent writers of
 * the key took, on this instance or another.
 */
public class WriteCoordinator {

    private final SecondaryWriteGuard guard;

    private final RedisRepairLog redisRepairLog;

    private final PostgresRepairLog postgresRepairLog;

    private final DualWriteMetrics metrics;

    /**
     * @param guard runs secondary writes under time limit and circuit breaker
     * @param redisRepairLog records keys whose PostgreSQL copy may be behind (stage DUAL)
     * @param postgresRepairLog records keys whose Redis copy may be behind (stage
     * POSTGRES_PRIMARY), written in the primary write's transaction
     * @param metrics where writes are timed
     */
    public WriteCoordinator(SecondaryWriteGuard guard, RedisRepairLog redisRepairLog,
            PostgresRepairLog postgresRepairLog, DualWriteMetrics metrics) {
        Assert.notNull(guard, "guard must not be null");
        Assert.notNull(redisRepairLog, "redisRepairLog must not be null");
        Assert.notNull(postgresRepairLog, "postgresRepairLog must not be null");
        Assert.notNull(metrics, "metrics must not be null");
        this.guard = guard;
        this.redisRepairLog = redisRepairLog;
        this.postgresRepairLog = postgresRepairLog;
        this.metrics = metrics;
    }

    /**
     * Save one entity in the stores of {@code strategy}.
     * @param repository the paired repository
     * @param strategy the stage in force
     * @param entity the entity, in the Redis repository's type
     * @return the saved entity as the primary store returned it
     */
    public <R, P, ID> R save(DualRepository<R, P, ID> repository, WriteStrategy strategy, R entity) {
        return switch (strategy) {
            case REDIS_PRIMARY -> saveInRedis(repository, entity);
            case DUAL -> {
                R saved = saveInRedis(repository, entity);
                copyToPostgres(repository, repository.redis().idOf(saved), "save");
                yield saved;
            }
            case POSTGRES_PRIMARY -> {
                P saved = saveInPostgres(repository, entity, true);
                copyToRedisAfterCommit(repository, postgresId(repository, saved), "save");
                yield repository.mapping().toRedis(saved);
            }
            case POSTGRES_ONLY -> repository.mapping().toRedis(saveInPostgres(repository, entity, false));
        };
    }

    /**
     * Delete one key from the stores of {@code strategy}; deleting a missing key is fine.
     * @param repository the paired repository
     * @param strategy the stage in force
     * @param id the id of the entity to delete
     */
    public <R, P, ID> void delete(DualRepository<R, P, ID> repository, WriteStrategy strategy, ID id) {
        switch (strategy) {
            case REDIS_PRIMARY -> deleteInRedis(repository, id);
            case DUAL -> {
                deleteInRedis(repository, id);
                copyToPostgres(repository, id, "delete");
            }
            case POSTGRES_PRIMARY -> {
                deleteInPostgres(repository, id, true);
                copyToRedisAfterCommit(repository, id, "delete");
            }
            case POSTGRES_ONLY -> deleteInPostgres(repository, id, false);
        }
    }

    /**
     * Bring the secondary store of {@code strategy} in line with the primary's current state of
     * one key, synchronously: holding the key's advisory lock, re-read the primary and copy it
     * (an upsert when the primary holds the key, a delete when it does not). In the same
     * transaction the key's record in the PostgreSQL repair log is closed (in
     * {@code POSTGRES_PRIMARY} that record is the transactional outbox), since both stores
     * agree on the key once it commits. Used by the reconciler and by repair from a
     * verification report; unlike a write's secondary step it is not guarded: failures are
     * thrown to the caller.
     * @param repository the paired repository
     * @param strategy the stage in force, which must write both stores
     * @param id the id of the key to repair
     * @return whether the primary holds the key (the secondary was upserted) rather than not
     * (the secondary's copy was deleted)
     */
    public <R, P, ID> boolean copyPrimaryToSecondary(DualRepository<R, P, ID> repository, WriteStrategy strategy,
            ID id) {
        Assert.notNull(repository, "repository must not be null");
        Assert.notNull(strategy, "strategy must not be null");
        Assert.isTrue(strategy.writesBoth(), () -> "Repository '" + repository.name() + "': strategy " + strategy
                + " writes one store only; there is no secondary to bring in line");
        return copyKey(repository, strategy.primary(), id);
    }

    /**
     * Copy the current state of one key from {@code source} to the other store, synchronously
     * and holding the key's advisory lock, and close the key's record in the PostgreSQL repair
     * log in the same transaction (see {@link #copyPrimaryToSecondary}). Also for single-store
     * stages, where an operator repairs the store that is not written from the one that is.
     * @param repository the paired repository
     * @param source the store whose state wins
     * @param id the id of the key to copy
     * @return whether {@code source} holds the key (the other store was upserted) rather than
     * not (the other store's copy was deleted)
     */
    public <R, P, ID> boolean copyKey(DualRepository<R, P, ID> repository, Store source, ID id) {
        Assert.notNull(repository, "repository must not be null");
        Assert.notNull(source, "source must not be null");
        Assert.notNull(id, "id must not be null");
        Store target = (source == Store.REDIS) ? Store.POSTGRES : Store.REDIS;
        // Closing the key's record unconditionally is safe: records of this log are opened
        // under this same lock, or, after a failed copy, describe a state this copy has read.
        return secondary(repository, target, "save", () -> copyUnderLock(repository, source, id, true));
    }

    private <R, P, ID> R saveInRedis(DualRepository<R, P, ID> repository, R entity) {
        return primary(repository, Store.REDIS, "save", keyOrNew(repository, repository.redis().idOf(entity)),
                () -> repository.redis().save(entity));
    }

    private <R, P, ID> void deleteInRedis(DualRepository<R, P, ID> repository, ID id) {
        primary(repository, Store.REDIS, "delete", repository.keyOf(id), () -> {
            repository.redis().delete(id);
            return null;
        });
    }

    private <R, P, ID> P saveInPostgres(DualRepository<R, P, ID> repository, R entity, boolean outbox) {
        P row = repository.mapping().toPostgres(entity);
        Object id = repository.postgres().idOf(row);
        // A row without id gets one from the database; nobody else can know its key yet, so
        // it needs no lock.
        String lockKey = (id != null) ? repository.keyOf(id) : null;
        return primary(repository, Store.POSTGRES, "save", keyOrNew(repository, id),
                () -> repository.postgres().inKeyLock(lockKey, () -> {
                    P saved = repository.postgres().upsert(row);
                    if (outbox) {
                        // Same transaction as the row: if this commits, Redis is owed the key.
                        this.postgresRepairLog.open(repository.name(),
                                repository.keyOf(postgresId(repository, saved)), Store.REDIS);
                    }
                    return saved;
                }));
    }

    private <R, P, ID> void deleteInPostgres(DualRepository<R, P, ID> repository, ID id, boolean outbox) {
        String key = repository.keyOf(id);
        primary(repository, Store.POSTGRES, "delete", key, () -> repository.postgres().inKeyLock(key, () -> {
            repository.postgres().delete(id);
            if (outbox) {
                this.postgresRepairLog.open(repository.name(), key, Store.REDIS);
            }
            return null;
        }));
    }

    // Stage DUAL: PostgreSQL follows Redis, the source of truth.
    private <R, P, ID> void copyToPostgres(DualRepository<R, P, ID> repository, ID id, String operation) {
        this.guard.write(repository.name(), repository.keyOf(id), Store.POSTGRES,
                () -> secondary(repository, Store.POSTGRES, operation,
                        () -> copyUnderLock(repository, Store.REDIS, id, false)),
                this.redisRepairLog);
    }

    // Stage POSTGRES_PRIMARY: Redis follows PostgreSQL and stays warm for a rollback. Only
    // the transaction that copied the current state pays the outbox debt.
    private <R, P, ID> void copyToRedisAfterCommit(DualRepository<R, P, ID> repository, ID id, String operation) {
        Runnable copy = () -> this.guard.write(repository.name(), repository.keyOf(id), Store.REDIS,
                () -> secondary(repository, Store.REDIS, operation,
                        () -> copyUnderLock(repository, Store.POSTGRES, id, true)),
                this.postgresRepairLog);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            // The caller's own transaction holds the new row (and the key's lock) until it
            // commits; copying before that would copy the old state, or wait for the lock.
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    copy.run();
                }
            });
        }
        else {
            copy.run();
        }
    }

    // Holding the key's lock, copy the source's current state of the key (or its absence) to
    // the other store; optionally close the key's record in the PostgreSQL repair log.
    private <R, P, ID> boolean copyUnderLock(DualRepository<R, P, ID> repository, Store source, ID id,
            boolean closeRecord) {
        String key = repository.keyOf(id);
        return repository.postgres().inKeyLock(key, () -> {
            boolean present;
            if (source == Store.REDIS) {
                Optional<R> current = repository.redis().load(id);
                current.ifPresentOrElse((entity) -> repository.postgres().upsert(repository.mapping().toPostgres(entity)),
                        () -> repository.postgres().delete(id));
                present = current.isPresent();
            }
            else {
                Optional<P> current = repository.postgres().load(id);
                current.ifPresentOrElse((row) -> repository.redis().save(repository.mapping().toRedis(row)),
                        () -> repository.redis().delete(id));
                present = current.isPresent();
            }
            if (closeRecord) {
                this.postgresRepairLog.close(repository.name(), key, Store.REDIS);
            }
            return present;
        });
    }

    private <T> T primary(DualRepository<?, ?, ?> repository, Store store, String operation, String key,
            Supplier<T> write) {
        long start = System.nanoTime();
        try {
            T result = write.get();
            this.metrics.recordWrite(repository.name(), store, operation, start, true);
            return result;
        }
        catch (RuntimeException ex) {
            this.metrics.recordWrite(repository.name(), store, operation, start, false);
            throw new PrimaryWriteException(repository.name(), operation, key, store, ex);
        }
    }

    // Times a copy to the secondary: a success under what the copy did (save or delete), a
    // failure under the operation that asked for it.
    private boolean secondary(DualRepository<?, ?, ?> repository, Store store, String operation,
            Supplier<Boolean> copy) {
        long start = System.nanoTime();
        try {
            boolean present = copy.get();
            this.metrics.recordWrite(repository.name(), store, present ? "save" : "delete", start, true);
            return present;
        }
        catch (RuntimeException ex) {
            this.metrics.recordWrite(repository.name(), store, operation, start, false);
            throw ex;
        }
    }

    @SuppressWarnings("unchecked")
    private static <ID> ID postgresId(DualRepository<?, ?, ID> repository, Object row) {
        Object id = ((DualRepository<?, Object, ID>) repository).postgres().idOf(row);
        Assert.state(id != null, () -> "Repository '" + repository.name() + "': PostgreSQL returned a row without id");
        return (ID) id;
    }

    private static String keyOrNew(DualRepository<?, ?, ?> repository, @Nullable Object id) {
        return (id != null) ? repository.keyOf(id) : "<new>";
    }

}
