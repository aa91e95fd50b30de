package dev.dualwrite.core.repair;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.dualwrite.core.store.PostgresSide;
import dev.dualwrite.core.strategy.Store;

import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.util.Assert;

/**
 * A {@link RepairLog} kept in the PostgreSQL table {@code dualwrite_repair}, for keys whose
 * Redis copy may be behind (stage {@code POSTGRES_PRIMARY}).
 * <p>
 * It doubles as a transactional outbox: {@link #open} inserts the record in the same
 * transaction as the primary write, and {@link #close} removes it in the transaction that
 * brought Redis in line. A crash between the two leaves the record, never a silent gap.
 * <p>
 * Reconcilers claim records with {@code FOR UPDATE SKIP LOCKED} and a lease column, so
 * instances never wait for nor take each other's records.
 */
public class PostgresRepairLog implements ClaimableRepairLog {

    /** Reason of the outbox record of a write whose copy to Redis follows at once. */
    public static final String PENDING_REASON = "pending: secondary write not yet confirmed";

    /**
     * Reason of the record of a write made in {@code POSTGRES_ONLY}, where Redis is not kept:
     * the record stays until a rollback to {@code POSTGRES_PRIMARY} copies the key to Redis.
     */
    public static final String ROLLBACK_REASON = "kept for rollback: written while Redis is not kept";

    private static final String OPEN = """
            insert into dualwrite_repair (repository, entity_key, target_store, reason, attempts)
            values (?, ?, ?, ?, 0)
            on conflict (repository, entity_key, target_store) do nothing""";

    // The lock first (the insert's rows come from it), so a record that the key's copy deletes
    // under the lock is never taken for one that stays: the insert checks for a conflict only
    // once the lock is held.
    private static final String LOCK_AND_OPEN = "with locked as (select " + PostgresSide.LOCK_EXPRESSION + ")\n"
            + """
                    insert into dualwrite_repair (repository, entity_key, target_store, reason, attempts)
                    select ?, ?, ?, ?, 0 from locked
                    on conflict (repository, entity_key, target_store) do nothing""";

    private static final String RECORD_FAILURE = """
            insert into dualwrite_repair (repository, entity_key, target_store, reason, attempts)
            values (?, ?, ?, ?, 1)
            on conflict (repository, entity_key, target_store) do update
            set reason = excluded.reason, last_recorded_at = now(), attempts = dualwrite_repair.attempts + 1""";

    private static final String CLOSE = """
            delete from dualwrite_repair where repository = ? and entity_key = ? and target_store = ?""";

    // The lock first: the delete runs when the outer query's row, which took the lock, is
    // projected. It deletes the record as of the statement's start: a record committed while
    // the statement waited for the lock stays (its own write's copy closes it).
    private static final String LOCK_AND_CLOSE = "with locked as (select " + PostgresSide.LOCK_EXPRESSION + "),\n"
            + """
                    closed as (delete from dualwrite_repair where repository = ? and entity_key = ? and target_store = ?
                        returning 1)
                    select (select count(*) from closed) from locked""";

    private static final String COUNT = "select count(*) from dualwrite_repair where repository = ?";

    // Outbox records of writes still in flight are no backlog: their copy settles them within
    // the secondary's time limit, or turns them into failures (attempts > 0).
    private static final String BACKLOG = """
            select count(*) from dualwrite_repair where repository = ?
            and (reason <> ? or attempts > 0 or last_recorded_at < now() - (? * interval '1 millisecond'))""";

    private static final String IS_OPEN = """
            select exists (select 1 from dualwrite_repair where repository = ? and entity_key = ? and target_store = ?)""";

    private static final String PENDING = """
            select repository, entity_key, target_store, reason, first_recorded_at, last_recorded_at, attempts
            from dualwrite_repair where repository = ? order by first_recorded_at limit ?""";

    // SKIP LOCKED: instances claiming at the same moment take disjoint records instead of
    // waiting for each other; the lease makes a crashed instance's claims lapse.
    private static final String CLAIM = """
            with candidates as (
                select repository, entity_key, target_store from dualwrite_repair
                where repository = ? and (claimed_until is null or claimed_until < now())
                  and last_recorded_at <= now() - (? * interval '1 millisecond')
                order by first_recorded_at
                limit ?
                for update skip locked)
            update dualwrite_repair r
            set claimed_by = ?, claimed_until = now() + (? * interval '1 millisecond')
            from candidates c
            where r.repository = c.repository and r.entity_key = c.entity_key and r.target_store = c.target_store
            returning r.repository, r.entity_key, r.target_store, r.reason, r.first_recorded_at, r.last_recorded_at,
                r.attempts, r.repair_failures""";

    // Compare-and-delete: a record recorded again since the claim has a later
    // last_recorded_at or more attempts, and stays.
    private static final String COMPLETE = """
            delete from dualwrite_repair
            where repository = ? and entity_key = ? and target_store = ? and last_recorded_at = ? and attempts = ?""";

    private static final String UNCLAIM = """
            update dualwrite_repair set claimed_by = null, claimed_until = null, repair_failures = 0
            where repository = ? and entity_key = ? and target_store = ? and claimed_by = ?""";

    private static final String RELEASE = """
            update dualwrite_repair
            set claimed_by = null, claimed_until = now() + (? * interval '1 millisecond'),
                repair_failures = repair_failures + 1
            where repository = ? and entity_key = ? and target_store = ? and claimed_by = ?""";

    private static final String OLDEST = "select min(first_recorded_at) from dualwrite_repair where repository = ?";

    private final JdbcOperations jdbc;

    public PostgresRepairLog(JdbcOperations jdbc) {
        Assert.notNull(jdbc, "jdbc must not be null");
        this.jdbc = jdbc;
    }

    /**
     * Note that {@code key} is about to be written to {@code target}. Call inside the
     * transaction of the primary write; an existing record (with its failure reason) is kept.
     * @param repository the repository name
     * @param key the entity key
     * @param target the store that will be written next
     */
    public void open(String repository, String key, Store target) {
        open(repository, key, target, PENDING_REASON);
    }

    /**
     * Note that {@code target} is owed the key's current state, for a reason of the caller's
     * (for example {@link #ROLLBACK_REASON}). Call inside the transaction of the primary write.
     * @param repository the repository name
     * @param key the entity key
     * @param target the store owed the key
     * @param reason why, without any entity value
     */
    public void open(String repository, String key, Store target, String reason) {
        this.jdbc.update(OPEN, repository, key, target.name(), reason);
    }

    /**
     * Take a key's advisory lock and then {@link #open(String, String, Store, String) open} its
     * record, in one statement: the first statement of the transaction of a primary write
     * (see {@link PostgresSide#inKeyLock(String, java.util.function.Consumer, java.util.function.Supplier)}).
     * @param lockName the key's {@link PostgresSide#lockName lock name}
     * @param repository the repository name
     * @param key the entity key
     * @param target the store owed the key
     * @param reason why, without any entity value
     */
    public void lockAndOpen(String lockName, String repository, String key, Store target, String reason) {
        this.jdbc.update(LOCK_AND_OPEN, lockAndOpenStatement(repository, key, target, reason).withLockName(lockName));
    }

    /**
     * Return the statement {@link #lockAndOpen} runs, for a write that sends it together with
     * the row ({@link PostgresSide#upsertInKeyLock}).
     * @param repository the repository name
     * @param key the entity key
     * @param target the store owed the key
     * @param reason why, without any entity value
     * @return the statement, the key's lock name still to be bound
     */
    public PostgresSide.LockStatement lockAndOpenStatement(String repository, String key, Store target,
            String reason) {
        return new PostgresSide.LockStatement(LOCK_AND_OPEN, List.of(repository, key, target.name(), reason));
    }

    /**
     * Return whether the key has a record: in the key's critical section, whether
     * {@code target} is owed a write made with PostgreSQL as primary.
     * @param repository the repository name
     * @param key the entity key
     * @param target the store that may be behind
     * @return whether a record of the key exists
     */
    public boolean isOpen(String repository, String key, Store target) {
        return Boolean.TRUE.equals(this.jdbc.queryForObject(IS_OPEN, Boolean.class, repository, key, target.name()));
    }

    /**
     * Count the records of a repository that are a backlog: every record but the outbox
     * records of writes in flight (younger than {@code inFlight}, no failed attempt yet).
     * @param repository the repository name
     * @param inFlight how long a write's copy to the secondary may take at most
     * @return the number of records the reconciler still has to settle
     */
    public long backlog(String repository, Duration inFlight) {
        Long count = this.jdbc.queryForObject(BACKLOG, Long.class, repository, PENDING_REASON, inFlight.toMillis());
        return (count != null) ? count : 0;
    }

    /**
     * Remove the record of {@code key}: call inside the transaction, holding the key's lock,
     * that copied the primary's current state to {@code target}.
     * @param repository the repository name
     * @param key the entity key
     * @param target the store that was brought in line
     */
    public void close(String repository, String key, Store target) {
        this.jdbc.update(CLOSE, repository, key, target.name());
    }

    /**
     * Take a key's advisory lock and then {@link #close close} its record, in one statement: the
     * first statement of the transaction that then copies the primary's current state of the
     * key to {@code target}. The removal commits only with the copy; it removes a record as of
     * the statement's start, whose write the copy, reading after the lock, includes.
     * @param lockName the key's {@link PostgresSide#lockName lock name}
     * @param repository the repository name
     * @param key the entity key
     * @param target the store about to be brought in line
     */
    public void lockAndClose(String lockName, String repository, String key, Store target) {
        this.jdbc.queryForObject(LOCK_AND_CLOSE, Long.class, lockName, repository, key, target.name());
    }

    /**
     * Remove every record of a repository whose target is {@code target}: when the records
     * can no longer be right (Redis is owed nothing once the repository is back at
     * {@code REDIS_PRIMARY}, where Redis alone holds the truth).
     * @param repository the repository name
     * @param target the store the records would repair
     * @return the number of records removed
     */
    public int forget(String repository, Store target) {
        return this.jdbc.update("delete from dualwrite_repair where repository = ? and target_store = ?", repository,
                target.name());
    }

    @Override
    public void recordFailure(String repository, String key, Store target, String reason) {
        this.jdbc.update(RECORD_FAILURE, repository, key, target.name(), reason);
    }

    @Override
    public long pendingCount(String repository) {
        Long count = this.jdbc.queryForObject(COUNT, Long.class, repository);
        return (count != null) ? count : 0;
    }

    @Override
    public List<RepairRecord> pending(String repository, int limit) {
        return this.jdbc.query(PENDING, PostgresRepairLog::toRecord, repository, limit);
    }

    @Override
    public List<RepairClaim> claim(String repository, String owner, int limit, Duration lease, Duration minAge) {
        return this.jdbc.query(CLAIM, (row, rowNum) -> {
            RepairRecord record = toRecord(row, rowNum);
            return new RepairClaim(record, owner, row.getInt("repair_failures"), version(record));
        }, repository, minAge.toMillis(), limit, owner, lease.toMillis());
    }

    @Override
    public boolean complete(RepairClaim claim) {
        RepairRecord record = claim.record();
        int deleted = this.jdbc.update(COMPLETE, record.repository(), record.key(), record.target().name(),
                Timestamp.from(record.lastRecordedAt()), record.attempts());
        if (deleted == 0) {
            // Recorded again (or already closed by the repair's own transaction): make the
            // newer record claimable at once, it may need another pass.
            this.jdbc.update(UNCLAIM, record.repository(), record.key(), record.target().name(), claim.owner());
        }
        return deleted > 0;
    }

    @Override
    public void release(RepairClaim claim, Duration backoff) {
        RepairRecord record = claim.record();
        this.jdbc.update(RELEASE, backoff.toMillis(), record.repository(), record.key(), record.target().name(),
                claim.owner());
    }

    @Override
    public Optional<Instant> oldestRecordedAt(String repository) {
        Timestamp oldest = this.jdbc.queryForObject(OLDEST, Timestamp.class, repository);
        return Optional.ofNullable(oldest).map(Timestamp::toInstant);
    }

    private static String version(RepairRecord record) {
        return record.lastRecordedAt() + "#" + record.attempts();
    }

    private static RepairRecord toRecord(ResultSet row, int rowNum) throws SQLException {
        return new RepairRecord(row.getString("repository"), row.getString("entity_key"),
                Store.valueOf(row.getString("target_store")), row.getString("reason"),
                row.getTimestamp("first_recorded_at").toInstant(), row.getTimestamp("last_recorded_at").toInstant(),
                row.getInt("attempts"));
    }

}
