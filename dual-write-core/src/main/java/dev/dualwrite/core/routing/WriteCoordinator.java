package dev.dualwrite.core.routing;

import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import dev.dualwrite.core.metrics.DualWriteMetrics;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.redis.json.RedisJsonStore;
import dev.dualwrite.core.repair.OldStoreRepairLog;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.secondary.SecondaryWriteGuard;
import dev.dualwrite.core.repair.RepairLog;
import dev.dualwrite.core.store.RedisSide;
import dev.dualwrite.core.strategy.StageCall;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.Assert;

/**
 * Carries out single-key saves and deletes in the order a {@link WriteStrategy} fixes: the
 * primary first (its failure fails the call and nothing else is written), then the
 * secondary through the {@link SecondaryWriteGuard}.
 * <p>
 * Secondary writes of one key are serialised by the key's PostgreSQL advisory lock, and the
 * last one to run leaves the primary's final state, whatever order concurrent writers of the
 * key took, on this instance or another. Holding the lock, a copy re-reads the primary's
 * current state and copies that (or deletes the key when the primary has none); except the
 * {@code DUAL} copy of a JSON repository on the repair log's Redis node, without key expiry,
 * which writes the state the call left in Redis (the lock and the row in one round trip) and is
 * confirmed by the closing of the write's intent, off the caller's path, in one script: where
 * the key no longer holds what was copied, it is copied again as a repair copies it, so the
 * last copy to commit is either confirmed or redone. That repository's value and intent go in
 * one script too.
 * <p>
 * No interrupted write is forgotten. In {@code DUAL} each save and delete records a write
 * intent in the old store's repair log before the old store's write and clears it, off the
 * caller's path, once the PostgreSQL copy has run or its failure is recorded for repair
 * ({@link OldStoreRepairLog#openIntent}; a write of a JDBC old store made in a transaction has
 * its intent in that transaction, and its copy waits for the transaction's end); a process that dies
 * between the two writes leaves the intent, which the reconciler turns into a repair record
 * once older than the grace. In {@code POSTGRES_PRIMARY} the outbox record commits with the
 * PostgreSQL write and is closed in the transaction that copied the key to Redis. The
 * single-store stages pay no extra round trip.
 * <p>
 * While a move from {@code REDIS_PRIMARY} to {@code DUAL} spreads, an instance still at
 * {@code REDIS_PRIMARY} writes Redis alone, without the lock, so it can overtake a copy made
 * here: each {@code DUAL} write made then also records its key for repair (off the caller's
 * path, before its intent goes), and the reconciler copies those keys once every instance
 * applies {@code DUAL} ({@link StageCall#redisOnlyWritersMayRemain()}).
 */
public class WriteCoordinator {

    private static final Logger logger = LoggerFactory.getLogger(WriteCoordinator.class);

    private static final int INTENT_CLOSE_BACKLOG = 10_000;

    private static final String REDIS_ONLY_WRITERS_REASON = "written in DUAL while instances at REDIS_PRIMARY "
            + "may remain; copied again once every instance applies DUAL";

    private static final String OVERTAKEN_COPY_REASON = "changed in Redis while its copy to PostgreSQL ran, "
            + "and copying it again failed";

    private static final String UNCONFIRMED_COPY_REASON = "its copy to PostgreSQL could not be confirmed against "
            + "Redis: the background closing of write intents was 10,000 behind";

    private final SecondaryWriteGuard guard;

    private final OldStoreRepairLog oldStoreRepairLog;

    private final PostgresRepairLog postgresRepairLog;

    private final DualWriteMetrics metrics;

    // One thread at most, started on demand and ended when idle; a full queue (Redis slower
    // than the writers) closes intents on the caller's thread again.
    private final ThreadPoolExecutor intentCloser = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(INTENT_CLOSE_BACKLOG), (task) -> {
                Thread thread = new Thread(task, "dualwrite-intent-closer");
                thread.setDaemon(true);
                return thread;
            });

    /**
     * @param guard runs secondary writes under time limit and circuit breaker
     * @param oldStoreRepairLog records, in the old store, keys whose PostgreSQL copy may be
     * behind (stage DUAL), and the write intents of DUAL writes; with a {@link RedisRepairLog},
     * a JSON repository's value and intent go in one script
     * @param postgresRepairLog records keys whose Redis copy may be behind (stage
     * POSTGRES_PRIMARY), written in the primary write's transaction
     * @param metrics where writes are timed
     */
    public WriteCoordinator(SecondaryWriteGuard guard, OldStoreRepairLog oldStoreRepairLog,
            PostgresRepairLog postgresRepairLog, DualWriteMetrics metrics) {
        Assert.notNull(guard, "guard must not be null");
        Assert.notNull(oldStoreRepairLog, "oldStoreRepairLog must not be null");
        Assert.notNull(postgresRepairLog, "postgresRepairLog must not be null");
        Assert.notNull(metrics, "metrics must not be null");
        this.guard = guard;
        this.oldStoreRepairLog = oldStoreRepairLog;
        this.postgresRepairLog = postgresRepairLog;
        this.metrics = metrics;
    }

    /**
     * Save one entity in the stores of {@code strategy}, outside any stage barrier (the
     * repository decorator calls {@link #save(DualRepository, StageCall, Object)}): as a
     * call made when no instance writes Redis alone.
     * @param repository the paired repository
     * @param strategy the stage in force
     * @param entity the entity, in the Redis repository's type
     * @return the saved entity as the primary store returned it
     */
    public <R, P, ID> R save(DualRepository<R, P, ID> repository, WriteStrategy strategy, R entity) {
        return save(repository, StageCall.untracked(strategy), entity);
    }

    /**
     * Save one entity in the stores of the call's stage; a secondary write that outlives the
     * call keeps the stage in flight until it is over (see {@link StageCall#retain()}).
     * @param repository the paired repository
     * @param call the call, with the stage it runs under
     * @param entity the entity, in the Redis repository's type
     * @return the saved entity as the primary store returned it
     */
    public <R, P, ID> R save(DualRepository<R, P, ID> repository, StageCall call, R entity) {
        return switch (call.strategy()) {
            case REDIS_PRIMARY -> saveInRedis(repository, entity);
            case DUAL -> {
                // The intent before the Redis write: a process that dies after it leaves the
                // intent behind, so the key is repaired. An entity whose id Redis generates has
                // no key before it is saved: its intent follows the save at once (a process
                // dying in between leaves a new key that only a verification finds).
                ID id = repository.old().idOf(entity);
                RedisJsonStore<R, ID> store = (id != null) ? copiesWrittenState(repository) : null;
                if (store != null) {
                    yield saveWithWrittenStateCopy(repository, call, store, id, entity);
                }
                @Nullable String intent = (id != null) ? openIntent(repository, "save", repository.keyOf(id)) : null;
                R saved = saveInRedis(repository, entity);
                ID savedId = repository.old().idOf(saved);
                if (intent == null) {
                    intent = openIntent(repository, "save", repository.keyOf(savedId));
                }
                String savedIntent = intent;
                afterOldStoreWrite(repository, call, () -> copyToPostgres(repository, call, savedId, "save", null, null),
                        () -> closeIntent(repository, call, savedIntent, savedId, null));
                yield saved;
            }
            case POSTGRES_PRIMARY -> {
                P saved = saveInPostgres(repository, entity, true);
                copyToRedisAfterCommit(repository, call, postgresId(repository, saved), "save");
                yield repository.mapping().toRedis(saved);
            }
            // Redis is not written, but the key is kept for a rollback (see saveInPostgres).
            case POSTGRES_ONLY -> repository.mapping().toRedis(saveInPostgres(repository, entity, false));
        };
    }

    /**
     * Delete one key from the stores of {@code strategy}, outside any stage barrier (the
     * repository decorator calls {@link #delete(DualRepository, StageCall, Object)}), as a
     * call made when no instance writes Redis alone; deleting a missing key is fine.
     * @param repository the paired repository
     * @param strategy the stage in force
     * @param id the id of the entity to delete
     */
    public <R, P, ID> void delete(DualRepository<R, P, ID> repository, WriteStrategy strategy, ID id) {
        delete(repository, StageCall.untracked(strategy), id);
    }

    /**
     * Delete one key from the stores of the call's stage; deleting a missing key is fine.
     * @param repository the paired repository
     * @param call the call, with the stage it runs under
     * @param id the id of the entity to delete
     */
    public <R, P, ID> void delete(DualRepository<R, P, ID> repository, StageCall call, ID id) {
        switch (call.strategy()) {
            case REDIS_PRIMARY -> deleteInRedis(repository, id);
            case DUAL -> {
                RedisJsonStore<R, ID> store = copiesWrittenState(repository);
                String intent = openIntent(repository, "delete", repository.keyOf(id));
                deleteInRedis(repository, id);
                WrittenState absent = (store != null) ? new WrittenState(null) : null;
                if (store != null) {
                    closeIntent(repository, call, intent, id,
                            copyToPostgres(repository, call, id, "delete", store, absent));
                }
                else {
                    afterOldStoreWrite(repository, call,
                            () -> copyToPostgres(repository, call, id, "delete", null, null),
                            () -> closeIntent(repository, call, intent, id, null));
                }
            }
            case POSTGRES_PRIMARY -> {
                deleteInPostgres(repository, id, true);
                copyToRedisAfterCommit(repository, call, id, "delete");
            }
            case POSTGRES_ONLY -> deleteInPostgres(repository, id, false);
        }
    }

    /**
     * Bring one key's two stores in line from the store that holds its newest state,
     * synchronously: holding the key's advisory lock, decide which store that is, copy its
     * current state of the key (or its absence) to the other store, and close the key's record
     * in the PostgreSQL repair log in the same transaction. Used by the reconciler and by repair
     * from a verification report; failures are thrown to the caller.
     * <p>
     * The store is read from the key's repair records, under the lock: a record in the
     * PostgreSQL log means a write made with PostgreSQL as primary has not reached Redis (the
     * outbox of {@code POSTGRES_PRIMARY}, the rollback log of {@code POSTGRES_ONLY}), so
     * PostgreSQL holds the truth; a record in the Redis log means a write made with Redis as
     * primary has not reached PostgreSQL, so Redis does. With records in both logs (writes of
     * instances on two adjacent stages while a move spreads), or none, the primary of
     * {@code stage} wins: the newer of two adjacent stages. So a repair never copies a key
     * backwards because the repairing instance happens to stand on the other stage. In a
     * single-store stage the primary always wins: the other store is not kept.
     * <p>
     * The copy runs within the secondary's time limit ({@link SecondaryWriteGuard#withinTimeLimit}),
     * so a silent store never holds the key's lock, and so its primary writes, much longer.
     * @param repository the paired repository
     * @param stage the stage in force
     * @param id the id of the key to repair
     * @return the store copied from, and whether it held the key
     */
    public <R, P, ID> KeyCopy repairKey(DualRepository<R, P, ID> repository, WriteStrategy stage, ID id) {
        Assert.notNull(repository, "repository must not be null");
        Assert.notNull(stage, "stage must not be null");
        Assert.notNull(id, "id must not be null");
        String key = repository.keyOf(id);
        long start = System.nanoTime();
        try {
            // Within the secondary's time limit, like a live copy: a silent store must not hold
            // the key's lock (and so the key's primary writes) or a connection for longer.
            KeyCopy copy = this.guard.withinTimeLimit(() -> repository.postgres().inKeyLock(key, () -> {
                Store source = truthOf(repository, stage, key);
                return new KeyCopy(source, copyLocked(repository, source, id, true));
            }));
            this.metrics.recordWrite(repository.name(), otherThan(copy.source()), copy.present() ? "save" : "delete",
                    start, true);
            return copy;
        }
        catch (RuntimeException ex) {
            this.metrics.recordWrite(repository.name(), otherThan(stage.primary()), "save", start, false);
            throw ex;
        }
    }

    /**
     * Return the store {@link #repairKey} would copy a key from right now (read without the
     * key's lock, so for planning only: a write may change the answer before the repair).
     * @param repository the paired repository
     * @param stage the stage in force
     * @param key the entity key
     * @return the store that holds the key's newest state
     */
    public Store truthOf(DualRepository<?, ?, ?> repository, WriteStrategy stage, String key) {
        if (!stage.writesBoth()) {
            return stage.primary();
        }
        boolean redisOwed = this.postgresRepairLog.isOpen(repository.name(), key, Store.REDIS);
        boolean postgresOwed = this.oldStoreRepairLog.isOpen(repository.name(), key);
        if (redisOwed == postgresOwed) {
            return stage.primary();
        }
        return redisOwed ? Store.POSTGRES : Store.REDIS;
    }

    private <R, P, ID> R saveInRedis(DualRepository<R, P, ID> repository, R entity) {
        return primary(repository, Store.REDIS, "save", keyOrNew(repository, repository.old().idOf(entity)),
                () -> repository.old().save(entity));
    }

    // The store of a repository whose DUAL copies write the state the call left in Redis, and
    // are confirmed against Redis after the call (see closeIntentNow): a JSON repository, whose
    // values the library writes itself, kept on the repair log's Redis node (so a value and an
    // intent go in one script), without key expiry (whose time to live a copy reads from Redis
    // under the lock). Null for every other, whose copies re-read Redis under the lock.
    private <R, P, ID> @Nullable RedisJsonStore<R, ID> copiesWrittenState(DualRepository<R, P, ID> repository) {
        RedisJsonStore<R, ID> store = jsonStoreOf(repository);
        return (store != null && !repository.expiry().enabled()
                && this.oldStoreRepairLog.logOf(repository.name()) instanceof RedisRepairLog redis
                && redis.sharesNodeWith(store)) ? store : null;
    }

    // The value and its intent in one atomic script: one round trip, and the intent exists
    // whenever the write does. The JSON is encoded once, as the primary write's first step (an
    // entity that cannot be encoded fails the call as a failed Redis write would): what Redis
    // gets is what the copy writes and what the intent's closing compares.
    private <R, P, ID> R saveWithWrittenStateCopy(DualRepository<R, P, ID> repository, StageCall call,
            RedisJsonStore<R, ID> store, ID id, R entity) {
        String key = repository.keyOf(id);
        IntentAndState opened = primary(repository, Store.REDIS, "save", key, () -> {
            String json = store.getCodec().write(entity);
            return new IntentAndState(redisLog(repository).saveOpeningIntent(repository.name(), key, store, json, entity),
                    new WrittenState(json));
        });
        closeIntent(repository, call, opened.intent(), id,
                copyToPostgres(repository, call, id, "save", store, opened.written()));
        return entity;
    }

    private record IntentAndState(String intent, WrittenState written) {
    }

    private <R, P, ID> void deleteInRedis(DualRepository<R, P, ID> repository, ID id) {
        primary(repository, Store.REDIS, "delete", repository.keyOf(id), () -> {
            repository.old().delete(id);
            return null;
        });
    }

    // The key's record goes in the same transaction as the row: if this commits, Redis is owed
    // the key. In POSTGRES_PRIMARY the copy that follows pays the debt at once; in
    // POSTGRES_ONLY nothing does until a rollback to POSTGRES_PRIMARY, when the reconciler
    // copies exactly these keys (the rollback log), so every write and delete made while Redis
    // was not kept reaches Redis before Redis is read again.
    private <R, P, ID> P saveInPostgres(DualRepository<R, P, ID> repository, R entity, boolean copyFollows) {
        P row = repository.mapping().toPostgres(entity);
        Object id = repository.postgres().idOf(row);
        // A row without id gets one from the database; nobody else can know its key yet, so
        // it needs no lock.
        if (id == null) {
            return primary(repository, Store.POSTGRES, "save", keyOrNew(repository, null),
                    () -> repository.postgres().inKeyLock(null, () -> {
                        P saved = repository.postgres().save(repository.expiry().forPrimarySave(entity, row,
                                () -> currentRow(repository, null)));
                        openRedisDebt(repository, repository.keyOf(postgresId(repository, saved)), copyFollows);
                        return saved;
                    }));
        }
        String key = repository.keyOf(id);
        if (!repository.expiry().enabled()) {
            // No expiry to keep from the current row, so the row is known before the lock: the
            // lock, the key's record and the row go to PostgreSQL in one round trip, in that order.
            String reason = debtReason(copyFollows);
            return primary(repository, Store.POSTGRES, "save", key, () -> repository.postgres()
                .upsertInKeyLock(key,
                        this.postgresRepairLog.lockAndOpenStatement(repository.name(), key, Store.REDIS, reason), row));
        }
        // Under the lock (taken with the record, first): the expiry kept from the current row is
        // the current one.
        return primary(repository, Store.POSTGRES, "save", key, () -> repository.postgres()
            .inKeyLock(key, (lockName) -> lockAndOpenRedisDebt(repository, lockName, key, copyFollows),
                    () -> repository.postgres().save(repository.expiry().forPrimarySave(entity, row,
                            () -> currentRow(repository, id)))));
    }

    @SuppressWarnings("unchecked")
    private static <P, ID> Optional<P> currentRow(DualRepository<?, P, ID> repository, @Nullable Object id) {
        return (id != null) ? repository.postgres().load((ID) id) : Optional.empty();
    }

    private <R, P, ID> void deleteInPostgres(DualRepository<R, P, ID> repository, ID id, boolean copyFollows) {
        String key = repository.keyOf(id);
        primary(repository, Store.POSTGRES, "delete", key, () -> repository.postgres()
            .inKeyLock(key, (lockName) -> lockAndOpenRedisDebt(repository, lockName, key, copyFollows), () -> {
                repository.postgres().delete(id);
                return null;
            }));
    }

    private void openRedisDebt(DualRepository<?, ?, ?> repository, String key, boolean copyFollows) {
        this.postgresRepairLog.open(repository.name(), key, Store.REDIS, debtReason(copyFollows));
    }

    // One round trip for the lock and the record: both belong to the write's transaction, so
    // opening the record before the write rather than after changes nothing anyone can see.
    private void lockAndOpenRedisDebt(DualRepository<?, ?, ?> repository, String lockName, String key,
            boolean copyFollows) {
        this.postgresRepairLog.lockAndOpen(lockName, repository.name(), key, Store.REDIS, debtReason(copyFollows));
    }

    private static String debtReason(boolean copyFollows) {
        return copyFollows ? PostgresRepairLog.PENDING_REASON : PostgresRepairLog.ROLLBACK_REASON;
    }

    // A failure here fails the call before Redis is written: without the intent, a crash
    // after the Redis write would leave PostgreSQL behind with nothing to say so. A write that
    // joins a transaction on the old store has its intent in that transaction: it exists
    // exactly when the write commits, so it is never promoted (and the key repaired from the
    // state before the write) while the transaction runs, and a SQLite file's one writer is
    // that transaction's connection.
    private String openIntent(DualRepository<?, ?, ?> repository, String operation, String key) {
        try {
            return repository.old().writesJoinCallersTransaction()
                    ? this.oldStoreRepairLog.openIntentInCallersTransaction(repository.name(), key)
                    : this.oldStoreRepairLog.openIntent(repository.name(), key);
        }
        catch (RuntimeException ex) {
            throw new PrimaryWriteException(repository.name(), operation, key, Store.REDIS, ex);
        }
    }

    // Only reached once the copy has run or its failure is recorded: a copy that threw (a
    // failure that could not be recorded, or the strict policy) keeps its intent. Failing to
    // remove the intent costs one needless repair later, never the caller's write, so the
    // removal, with the confirmation of a copy of the written state before it, leaves the
    // caller's path: the intent is one write's own, removing it later is as right as removing
    // it now, and one lost with the process is only a repair. The call's stage stays in flight
    // until then. While instances that write Redis alone may remain, the key is recorded for
    // repair as the intent goes: one of them may write it after this copy, leaving PostgreSQL
    // behind with nothing to say so; the reconciler copies it again once they are gone.
    private <R, P, ID> void closeIntent(DualRepository<R, P, ID> repository, StageCall call, String intent, ID id,
            @Nullable WrittenState toConfirm) {
        @Nullable String recordReason = call.redisOnlyWritersMayRemain() ? REDIS_ONLY_WRITERS_REASON : null;
        StageCall held = call.retain();
        try {
            this.intentCloser.execute(() -> {
                try {
                    closeIntentNow(repository, intent, id, recordReason, toConfirm);
                }
                finally {
                    held.close();
                }
            });
        }
        catch (RejectedExecutionException ex) {
            // Redis is slower than the writers. The caller's thread, perhaps inside the
            // caller's transaction, never copies: a copy left to confirm is recorded for repair.
            try {
                closeIntentNow(repository, intent, id,
                        (recordReason == null && toConfirm != null) ? UNCONFIRMED_COPY_REASON : recordReason, null);
            }
            finally {
                held.close();
            }
        }
    }

    // The copy of the written state wrote this call's state of the key, not Redis's state at
    // the time. Another write of the key that changed Redis after this call's write may have had
    // its copy commit first, leaving PostgreSQL with the older state: Redis, read after this
    // copy committed, tells. When it still holds what was copied, any later write of the key has
    // a copy of its own to come (the copies of one key commit one at a time, under its lock), so
    // the last copy to commit is confirmed; otherwise the key is copied again, as a repair
    // copies it, before the intent goes.
    private <R, P, ID> void closeIntentNow(DualRepository<R, P, ID> repository, String intent, ID id,
            @Nullable String recordReason, @Nullable WrittenState toConfirm) {
        String key = repository.keyOf(id);
        try {
            if (recordReason != null) {
                this.oldStoreRepairLog.recordAndCloseIntent(repository.name(), intent, key, recordReason);
            }
            else if (toConfirm == null) {
                this.oldStoreRepairLog.closeIntent(repository.name(), intent);
            }
            else if (!redisLog(repository).closeIntentIfHolding(repository.name(), intent,
                    requiredJsonStore(repository).getEntityInformation().getKey(id), toConfirm.json())) {
                copyAgain(repository, intent, id);
            }
        }
        catch (RuntimeException ex) {
            logger.debug("Repository '{}': could not clear write intent '{}'; the reconciler will repair its key",
                    repository.name(), intent, ex);
        }
    }

    // As the reconciler repairs a key: holding its lock, from the store its repair records say
    // holds its newest state (truthOf), not from Redis blindly. The intent's closing may run
    // after a move to POSTGRES_PRIMARY has spread: a write made there since, whose copy to
    // Redis is still owed, must not be overwritten with Redis's older state. A failure records
    // the key for repair as the intent goes.
    private <R, P, ID> void copyAgain(DualRepository<R, P, ID> repository, String intent, ID id) {
        String key = repository.keyOf(id);
        try {
            repairKey(repository, WriteStrategy.DUAL, id);
            this.oldStoreRepairLog.closeIntent(repository.name(), intent);
        }
        catch (RuntimeException ex) {
            logger.debug("Repository '{}': key '{}' changed in Redis while its copy ran and copying it again "
                    + "failed; recording it for repair", repository.name(), key, ex);
            this.oldStoreRepairLog.recordAndCloseIntent(repository.name(), intent, key, OVERTAKEN_COPY_REASON);
        }
    }

    private static <R, ID> RedisJsonStore<R, ID> requiredJsonStore(DualRepository<R, ?, ID> repository) {
        RedisJsonStore<R, ID> store = jsonStoreOf(repository);
        Assert.state(store != null, "only a JSON repository's copies write the written state");
        return store;
    }

    // Only reached for a repository copiesWrittenState accepted, which needs a Redis log.
    private RedisRepairLog redisLog(DualRepository<?, ?, ?> repository) {
        return (RedisRepairLog) this.oldStoreRepairLog.logOf(repository.name());
    }

    private static <R, ID> @Nullable RedisJsonStore<R, ID> jsonStoreOf(DualRepository<R, ?, ID> repository) {
        return (repository.old() instanceof RedisSide<R, ID> redis) ? redis.jsonStore() : null;
    }

    // Stage DUAL: PostgreSQL follows Redis, the source of truth. Holding the key's lock, the
    // copy either writes the state this call left in Redis (a JSON store's, given `written`:
    // the lock and the row in one round trip where the library writes the rows itself), to be
    // confirmed as the intent closes; or re-reads the key from Redis and copies that, with its
    // time to live. Returns the written state copied, to confirm; null when there is none (the
    // copy re-read Redis, or did not complete: its failure is then recorded for repair).
    private <R, P, ID> @Nullable WrittenState copyToPostgres(DualRepository<R, P, ID> repository, StageCall call,
            ID id, String operation, @Nullable RedisJsonStore<R, ID> store, @Nullable WrittenState written) {
        AtomicBoolean copied = new AtomicBoolean();
        guarded(repository, call, id, Store.POSTGRES, this.oldStoreRepairLog, false,
                () -> secondary(repository, Store.POSTGRES, operation, () -> {
                    if (store == null || written == null) {
                        return copyUnderLock(repository, Store.REDIS, id);
                    }
                    boolean present = copyWritten(repository, id, store, written);
                    copied.set(true);
                    return present;
                }));
        return copied.get() ? written : null;
    }

    // An old store written inside the caller's transaction (a JDBC old store's) holds the
    // write until that transaction ends: a copy now would read the
    // state before it. The copy and the intent's closing wait for its end, whichever way it ends
    // (after a rollback the copy copies the state left), the call's stage in flight meanwhile;
    // after a commit they run in afterCommit, whose failures (the strict policy's) reach the
    // committer. Where nothing can be awaited (no synchronization), the copy runs now and the
    // intent, written in the same transaction, is left open: it appears with the write, and the
    // key is repaired once it is older than the grace (closing it could remove it after a copy
    // that read the state before the commit).
    private void afterOldStoreWrite(DualRepository<?, ?, ?> repository, StageCall call, Runnable copy,
            Runnable closeIntent) {
        Runnable copyAndClose = () -> {
            copy.run();
            closeIntent.run();
        };
        if (!repository.old().writesJoinCallersTransaction()) {
            copyAndClose.run();
            return;
        }
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            copy.run();
            return;
        }
        StageCall held = call.retain();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                copyAndClose.run();
            }

            @Override
            public void afterCompletion(int status) {
                try {
                    if (status != STATUS_COMMITTED) {
                        copyAndClose.run();
                    }
                }
                finally {
                    held.close();
                }
            }
        });
    }

    // The row is decoded from the JSON Redis got, not taken from the caller's entity: it is what
    // a read of the key gives (a property the JSON leaves out is left out here too), and the
    // caller's object, which the caller may change once the call has returned, is never handed
    // to a copy.
    private <R, P, ID> boolean copyWritten(DualRepository<R, P, ID> repository, ID id, RedisJsonStore<R, ID> store,
            WrittenState written) {
        String key = repository.keyOf(id);
        String json = written.json();
        if (json == null) {
            repository.postgres().inKeyLock(key, () -> {
                repository.postgres().delete(id);
                return null;
            });
            return false;
        }
        R stored = store.getCodec().read(store.getEntityInformation().getKey(id), json);
        repository.postgres().copyInKeyLock(key, repository.mapping().toPostgres(stored));
        return true;
    }

    // The state a DUAL write of a JSON store left in Redis: the JSON written, or null for a delete.
    private record WrittenState(@Nullable String json) {
    }

    // Stage POSTGRES_PRIMARY: Redis follows PostgreSQL and stays warm for a rollback. Only
    // the transaction that copied the current state pays the outbox debt. The outbox record
    // committed with the primary write already covers the key, so a failed copy whose
    // failure cannot be noted on that record (PostgreSQL busy) does not fail the call.
    private <R, P, ID> void copyToRedisAfterCommit(DualRepository<R, P, ID> repository, StageCall call, ID id,
            String operation) {
        Runnable copy = () -> guarded(repository, call, id, Store.REDIS, this.postgresRepairLog, true,
                () -> secondary(repository, Store.REDIS, operation, () -> copyToRedisPayingDebt(repository, id)));
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

    // The record's removal shares the lock's round trip: it commits only with the copy, and
    // it removes the record as it was before the lock, whose writes the copy (reading after
    // the lock) includes.
    private <R, P, ID> boolean copyToRedisPayingDebt(DualRepository<R, P, ID> repository, ID id) {
        String key = repository.keyOf(id);
        return repository.postgres()
            .inKeyLock(key, (lockName) -> this.postgresRepairLog.lockAndClose(lockName, repository.name(), key,
                    Store.REDIS), () -> copyLocked(repository, Store.POSTGRES, id, false));
    }

    // A secondary write belongs to its call's stage, whose direction it copies in: the stage
    // stays in flight until the copy has run or never will, so no move overtakes a copy that
    // the time limit left running. One that has not started when the guard gives up (and
    // records the key for repair) does not run at all: the reconciler settles the key.
    private void guarded(DualRepository<?, ?, ?> repository, StageCall call, Object id, Store target, RepairLog log,
            boolean alreadyRecorded, Runnable copy) {
        StageCall held = call.retain();
        AtomicBoolean taken = new AtomicBoolean();
        try {
            this.guard.write(repository.name(), repository.keyOf(id), target, () -> {
                if (taken.compareAndSet(false, true)) {
                    try {
                        copy.run();
                    }
                    finally {
                        held.close();
                    }
                }
            }, log, alreadyRecorded);
        }
        finally {
            if (taken.compareAndSet(false, true)) {
                held.close();
            }
        }
    }

    // Holding the key's lock, copy the source's current state of the key (or its absence) to
    // the other store (the POSTGRES_PRIMARY copy, which also pays the outbox debt, takes its
    // lock with the record's removal instead).
    private <R, P, ID> boolean copyUnderLock(DualRepository<R, P, ID> repository, Store source, ID id) {
        return repository.postgres().inKeyLock(repository.keyOf(id), () -> copyLocked(repository, source, id, false));
    }

    // Closing the key's record unconditionally is safe: records of this log are opened under
    // this same lock, or, after a failed copy, describe a state this copy has read.
    private <R, P, ID> boolean copyLocked(DualRepository<R, P, ID> repository, Store source, ID id,
            boolean closeRecord) {
        boolean present;
        if (source == Store.REDIS) {
            // The key's expiry goes with its value; a key that expired since is a key that is gone.
            Optional<P> current = repository.old()
                .load(id)
                .flatMap((entity) -> repository.expiry().fromRedis(repository.mapping().toPostgres(entity), id));
            current.ifPresentOrElse(repository.postgres()::upsert, () -> repository.postgres().delete(id));
            present = current.isPresent();
        }
        else {
            // A row whose expiry has passed is absent, whether or not the sweep has removed it.
            Optional<P> current = repository.postgres().load(id).filter(repository.expiry()::isLive);
            current.ifPresentOrElse((row) -> {
                // An upsert, not the application's save: the key may be missing from the old
                // store, where a save of an entity with its id set need not insert (Spring Data
                // JDBC's updates no row).
                repository.old().upsert(repository.expiry().withTimeLeft(repository.mapping().toRedis(row), row));
                repository.expiry().toRedis(row, id);
            }, () -> repository.old().delete(id));
            present = current.isPresent();
        }
        if (closeRecord) {
            this.postgresRepairLog.close(repository.name(), repository.keyOf(id), Store.REDIS);
        }
        return present;
    }

    private static Store otherThan(Store store) {
        return (store == Store.REDIS) ? Store.POSTGRES : Store.REDIS;
    }

    /**
     * What {@link #repairKey} did.
     * @param source the store whose state of the key was copied to the other
     * @param present whether it held the key (the other store was upserted) rather than not
     * (the other store's copy was deleted)
     */
    public record KeyCopy(Store source, boolean present) {
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
