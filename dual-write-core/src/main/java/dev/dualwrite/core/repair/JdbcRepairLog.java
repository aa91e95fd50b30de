package dev.dualwrite.core.repair;

import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import dev.dualwrite.core.strategy.Store;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.Assert;

/**
 * An {@link OldStoreRepairLog} kept in the database of a JDBC old store (PostgreSQL, for an
 * old schema of the same server, or SQLite), so that it can be written whenever the old store
 * can, in particular while the new PostgreSQL is down.
 * <p>
 * Two tables, named apart from the library's own {@code dualwrite_repair} so that an old schema
 * in the same database never collides with it: {@code dualwrite_source_repair} (one row per
 * repository and key: the record, and the reconciler's claim of it) and
 * {@code dualwrite_source_intent} (one row per write in flight). {@link #createTables()} creates
 * them. Every time, of records, intents, leases and backoffs, is the database's clock in epoch
 * millis, read in the statement that uses it, so writers and reconcilers on hosts with skewed
 * clocks age intents alike, as Redis's {@code TIME} does for {@link RedisRepairLog}.
 * <p>
 * Each call runs on a connection of its own and commits on its own, and never joins a
 * transaction the caller holds on the same {@code DataSource}: an intent must be durable before
 * the write it covers, and a record must survive the rollback of the write that failed. The one
 * exception is {@link #openIntentInCallersTransaction}, for a write that joins such a
 * transaction: its intent goes in that transaction, through the connection it holds, and commits
 * with the write. On SQLite, which runs one writer at a time, the caller must not otherwise hold
 * a write transaction on the same database file while it calls the log, and the connections
 * should wait for the write lock ({@code busy_timeout}) rather than fail at once.
 * <p>
 * Every call that writes runs in a transaction of the log's own, which it commits itself, so
 * nothing depends on the connections' auto-commit: on a pool that hands them out with
 * auto-commit off (Hikari's {@code auto-commit: false}), a write left to auto-commit would be
 * rolled back when its connection went back to the pool.
 * <p>
 * Claims are compare-and-delete as in every {@link ClaimableRepairLog}: every write of a record
 * gives it a new revision, and {@link #complete} removes it only at the revision it claimed.
 * <p>
 * A transaction that writes both an intent and a record ({@link #recordAndCloseIntent}, a batch
 * of {@link #recordInterruptedWrites}) locks the intent first, and records in the order of
 * their keys, so that on PostgreSQL such transactions never deadlock one another.
 */
public class JdbcRepairLog implements OldStoreRepairLog {

    /** Default of the interrupted-write grace, as {@link RedisRepairLog}'s. */
    public static final Duration DEFAULT_INTERRUPTED_WRITE_GRACE = Duration.ofSeconds(20);

    /** Default of the in-flight grace, as {@link RedisRepairLog}'s. */
    public static final Duration DEFAULT_IN_FLIGHT_GRACE = Duration.ofSeconds(10);

    /** The reason of a record made of an intent whose write was interrupted. */
    static final String INTERRUPTED_REASON = "write interrupted before PostgreSQL was written (intent from %s)";

    private static final int PROMOTE_BATCH = 500;

    private static final String RECORD_COLUMNS = """
            entity_key, target_store, reason, first_recorded_at_ms, last_recorded_at_ms, attempts, revision""";

    // Portable types (text, bigint, integer) that PostgreSQL and SQLite both take as written.
    private static final List<String> TABLES = List.of("""
            create table if not exists dualwrite_source_repair (
                repository text not null,
                entity_key text not null,
                target_store text not null,
                reason text not null,
                first_recorded_at_ms bigint not null,
                last_recorded_at_ms bigint not null,
                attempts integer not null,
                revision text not null,
                claimed_by text,
                claimed_until_ms bigint,
                repair_failures integer not null default 0,
                primary key (repository, entity_key))""",
            """
            create index if not exists dualwrite_source_repair_first
                on dualwrite_source_repair (repository, first_recorded_at_ms)""",
            """
            create table if not exists dualwrite_source_intent (
                repository text not null,
                intent text not null,
                entity_key text not null,
                opened_at_ms bigint not null,
                primary key (repository, intent))""",
            """
            create index if not exists dualwrite_source_intent_age
                on dualwrite_source_intent (repository, opened_at_ms)""");

    // What TABLES creates: when all exist, createTables runs no DDL.
    private static final List<String> SCHEMA_OBJECTS = List.of("dualwrite_source_repair",
            "dualwrite_source_repair_first", "dualwrite_source_intent", "dualwrite_source_intent_age");

    private final JdbcTemplate jdbc;

    private final TransactionTemplate transactions;

    // On the DataSource itself: joins a transaction the caller has bound to it.
    private final JdbcTemplate callersTransaction;

    private final JdbcRepairLogDialect dialect;

    private final Duration interruptedWriteGrace;

    private final Duration inFlightGrace;

    private final Sql sql;

    // Unique to this log instance (so to the process in practice) and to each write: intents and
    // record revisions of different processes never collide.
    private final String tokenPrefix = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);

    private final AtomicLong tokens = new AtomicLong();

    /**
     * Create a log whose graces are {@link #DEFAULT_INTERRUPTED_WRITE_GRACE} and
     * {@link #DEFAULT_IN_FLIGHT_GRACE}.
     * @param dataSource the old store's database
     */
    public JdbcRepairLog(DataSource dataSource) {
        this(dataSource, DEFAULT_INTERRUPTED_WRITE_GRACE, DEFAULT_IN_FLIGHT_GRACE);
    }

    /**
     * Create a log on the old store's database; reads the database's product name to choose
     * its SQL.
     * @param dataSource the old store's database, PostgreSQL or SQLite 3.42 or later
     * @param interruptedWriteGrace age from which a write intent that was not cleared is taken
     * for an interrupted write and turned into a record; must exceed the longest a live write
     * can take between its intent and its PostgreSQL copy
     * @param inFlightGrace age from which {@link #pendingCount} counts an intent: the control
     * plane's in-flight grace
     * @throws IllegalStateException when the database is neither PostgreSQL nor SQLite 3.42+,
     * or cannot be reached to tell
     */
    public JdbcRepairLog(DataSource dataSource, Duration interruptedWriteGrace, Duration inFlightGrace) {
        Assert.notNull(dataSource, "dataSource must not be null");
        Assert.isTrue(interruptedWriteGrace != null && !interruptedWriteGrace.isNegative()
                && !interruptedWriteGrace.isZero(), "interruptedWriteGrace must be positive");
        Assert.isTrue(inFlightGrace != null && !inFlightGrace.isNegative(), "inFlightGrace must not be negative");
        // A wrapper of our own as the key of our transactions: a transaction the caller has
        // bound to the DataSource itself is never joined (see the class's Javadoc).
        DataSource own = new DelegatingDataSource(dataSource);
        this.jdbc = new JdbcTemplate(own);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(own));
        this.callersTransaction = new JdbcTemplate(dataSource);
        this.dialect = dialectOf(dataSource);
        this.interruptedWriteGrace = interruptedWriteGrace;
        this.inFlightGrace = inFlightGrace;
        this.sql = new Sql(this.dialect);
    }

    private static JdbcRepairLogDialect dialectOf(DataSource dataSource) {
        try {
            return JdbcUtils.extractDatabaseMetaData(dataSource, (DatabaseMetaData metaData) -> JdbcRepairLogDialect
                .of(metaData.getDatabaseProductName(), metaData.getDatabaseProductVersion()));
        }
        catch (MetaDataAccessException ex) {
            throw new IllegalStateException("JdbcRepairLog could not read which database its DataSource is: "
                    + ex.getMessage() + "; check that the old store's database is reachable", ex);
        }
    }

    /**
     * Create the log's tables and indexes where they are missing, in the schema the
     * {@code DataSource}'s connections use; safe to call on every start and from several
     * instances at once. Plain {@code create ... if not exists} rather than Flyway: the core
     * has no Flyway dependency, and the old store's database needs no history table of ours.
     * When the tables and indexes all exist it runs no DDL, only a look at the catalogue.
     */
    public void createTables() {
        // On PostgreSQL, CREATE INDEX IF NOT EXISTS takes a SHARE lock on its table before it
        // finds the index there, so on every start it would wait for the writes in flight and
        // hold up the writes after them. Looked up outside the DDL's transaction: on SQLite a
        // read first would make that transaction upgrade to a write.
        Long existing = this.jdbc.queryForObject(this.dialect.countExisting(SCHEMA_OBJECTS), Long.class);
        if (existing != null && existing == SCHEMA_OBJECTS.size()) {
            return;
        }
        this.transactions.executeWithoutResult((status) -> {
            String lock = this.dialect.schemaLock();
            if (lock != null) {
                this.jdbc.query(lock, (ResultSet row) -> null);
            }
            for (String statement : TABLES) {
                this.jdbc.execute(statement);
            }
        });
    }

    /**
     * Return the age from which an intent is taken for an interrupted write.
     * @return the interrupted-write grace this log was built with
     */
    public Duration interruptedWriteGrace() {
        return this.interruptedWriteGrace;
    }

    @Override
    public String openIntent(String repository, String key) {
        String intent = newToken();
        update(this.sql.openIntent, repository, intent, key);
        return intent;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Written through the connection the caller's transaction holds on the old store's
     * {@code DataSource} (the one this log was created with), so it commits with the write.
     */
    @Override
    public String openIntentInCallersTransaction(String repository, String key) {
        String intent = newToken();
        this.callersTransaction.update(this.sql.openIntent, repository, intent, key);
        return intent;
    }

    @Override
    public void closeIntent(String repository, String intent) {
        update(this.sql.closeIntent, repository, intent);
    }

    @Override
    public void recordAndCloseIntent(String repository, String intent, String key, String reason) {
        // The intent first, then the record: the order promotion locks them in, so the two never
        // deadlock on PostgreSQL. The delete is a write too, so on SQLite the transaction still
        // holds the write lock from its first statement and never has to upgrade a read to a
        // write.
        this.transactions.executeWithoutResult((status) -> {
            this.jdbc.update(this.sql.closeIntent, repository, intent);
            this.jdbc.update(this.sql.recordKeepingReason, repository, key, Store.POSTGRES.name(), reason,
                    newToken());
        });
    }

    /**
     * {@inheritDoc}
     * <p>
     * Per batch of {@value #PROMOTE_BATCH}, one transaction deletes the old intents and writes
     * their records: only intents it deleted itself are promoted, so one removed meanwhile by its
     * finishing write, or promoted by another reconciler, is left alone. The intents of one key
     * make one write of its record, as {@link RedisRepairLog} promoting them one by one leaves
     * it: a new record has the key's earliest intent's time, and each intent counts an attempt.
     */
    @Override
    public int recordInterruptedWrites(String repository) {
        int promoted = 0;
        int picked;
        do {
            Integer batch = this.transactions.execute((status) -> promoteBatch(repository));
            picked = (batch != null) ? batch : 0;
            promoted += picked;
        }
        while (picked == PROMOTE_BATCH);
        return promoted;
    }

    private int promoteBatch(String repository) {
        List<Intent> old = this.jdbc.query(this.sql.deleteOldIntents,
                (row, rowNum) -> new Intent(row.getString("entity_key"), row.getLong("opened_at_ms")), repository,
                this.interruptedWriteGrace.toMillis(), PROMOTE_BATCH, repository);
        // One upsert per key: two of one key in a batch are two rows of one statement once
        // pgjdbc rewrites the batch (reWriteBatchedInserts), which PostgreSQL refuses ("cannot
        // affect row a second time"), and every later claim with it. Keys in sorted order, so
        // that concurrent promoters lock records in one order.
        Map<String, long[]> keys = new TreeMap<>();
        for (Intent intent : old) {
            long[] earliestAndCount = keys.computeIfAbsent(intent.key(), (key) -> new long[] { Long.MAX_VALUE, 0 });
            earliestAndCount[0] = Math.min(earliestAndCount[0], intent.openedAtMillis());
            earliestAndCount[1]++;
        }
        List<Object[]> records = new ArrayList<>(keys.size());
        keys.forEach((key, earliestAndCount) -> {
            long at = earliestAndCount[0];
            String reason = INTERRUPTED_REASON.formatted(Instant.ofEpochMilli(at));
            records.add(new Object[] { repository, key, Store.POSTGRES.name(), reason, at, at,
                    (int) earliestAndCount[1], newToken() });
        });
        if (!records.isEmpty()) {
            this.jdbc.batchUpdate(this.sql.recordInterrupted, records);
        }
        return old.size();
    }

    @Override
    public long backlog(String repository, Duration inFlight) {
        Long count = this.jdbc.queryForObject(this.sql.backlog, Long.class, repository, repository,
                inFlight.toMillis());
        return (count != null) ? count : 0;
    }

    @Override
    public boolean isOpen(String repository, String key) {
        Long count = this.jdbc.queryForObject(this.sql.isOpen, Long.class, repository, key);
        return count != null && count > 0;
    }

    @Override
    public void recordFailure(String repository, String key, Store target, String reason) {
        update(this.sql.record, repository, key, target.name(), reason, newToken());
    }

    /**
     * {@inheritDoc}
     * <p>
     * Counts the records and the intents older than the in-flight grace: the rule of the
     * stage gates ({@link #backlog}).
     */
    @Override
    public long pendingCount(String repository) {
        return backlog(repository, this.inFlightGrace);
    }

    @Override
    public List<RepairRecord> pending(String repository, int limit) {
        return this.jdbc.query(this.sql.pending, (row, rowNum) -> toRecord(repository, row), repository, limit);
    }

    @Override
    public List<RepairClaim> claim(String repository, String owner, int limit, Duration lease, Duration minAge) {
        recordInterruptedWrites(repository);
        List<RepairClaim> claimed = this.transactions.execute((status) -> this.jdbc.query(this.sql.claim,
                (row, rowNum) -> new RepairClaim(toRecord(repository, row), owner, row.getInt("repair_failures"),
                        row.getString("revision")),
                repository, minAge.toMillis(), limit, owner, lease.toMillis(), repository));
        List<RepairClaim> claims = (claimed != null) ? new ArrayList<>(claimed) : new ArrayList<>();
        // RETURNING keeps no order.
        claims.sort(Comparator.comparing((RepairClaim claim) -> claim.record().firstRecordedAt()));
        return claims;
    }

    @Override
    public boolean complete(RepairClaim claim) {
        String repository = claim.record().repository();
        Boolean deleted = this.transactions.execute((status) -> {
            if (this.jdbc.update(this.sql.complete, repository, claim.key(), claim.version()) > 0) {
                return true;
            }
            // Recorded again since the claim: drop the claim so the newer record is claimable
            // at once; it needs another pass.
            this.jdbc.update(this.sql.unclaim, repository, claim.key(), claim.owner());
            return false;
        });
        return Boolean.TRUE.equals(deleted);
    }

    @Override
    public void release(RepairClaim claim, Duration backoff) {
        update(this.sql.release, backoff.toMillis(), claim.record().repository(), claim.key(), claim.owner());
    }

    @Override
    public Optional<Instant> oldestRecordedAt(String repository) {
        // An intent counts once it is older than the interrupted-write grace, as for Redis:
        // from then on it stands for a write that needs repair.
        Long oldest = this.jdbc.queryForObject(this.sql.oldest, Long.class, repository, repository,
                this.interruptedWriteGrace.toMillis());
        return Optional.ofNullable(oldest).map(Instant::ofEpochMilli);
    }

    @Override
    public String toString() {
        return "JdbcRepairLog[" + this.dialect.name() + "]";
    }

    // One statement in a transaction of the log's own, committed here whatever the connection's
    // auto-commit (see the class's Javadoc).
    private void update(String statement, Object... arguments) {
        this.transactions.executeWithoutResult((status) -> this.jdbc.update(statement, arguments));
    }

    private String newToken() {
        return this.tokenPrefix + "." + Long.toString(this.tokens.incrementAndGet(), 36);
    }

    private static RepairRecord toRecord(String repository, ResultSet row) throws SQLException {
        return new RepairRecord(repository, row.getString("entity_key"), Store.valueOf(row.getString("target_store")),
                row.getString("reason"), Instant.ofEpochMilli(row.getLong("first_recorded_at_ms")),
                Instant.ofEpochMilli(row.getLong("last_recorded_at_ms")), row.getInt("attempts"));
    }

    private record Intent(String key, long openedAtMillis) {
    }

    /** The statements, with the dialect's clock and row picking filled in. */
    private static final class Sql {

        final String openIntent;

        final String closeIntent;

        final String record;

        final String recordKeepingReason;

        final String recordInterrupted;

        final String deleteOldIntents;

        final String backlog;

        final String isOpen;

        final String pending;

        final String claim;

        final String complete;

        final String unclaim;

        final String release;

        final String oldest;

        Sql(JdbcRepairLogDialect dialect) {
            String now = dialect.nowMillis();
            this.openIntent = "insert into dualwrite_source_intent (repository, intent, entity_key, opened_at_ms) "
                    + "values (?, ?, ?, " + now + ")";
            this.closeIntent = "delete from dualwrite_source_intent where repository = ? and intent = ?";
            String insert = "insert into dualwrite_source_repair (repository, " + RECORD_COLUMNS + ")\n";
            String conflict = "on conflict (repository, entity_key) do update set ";
            // Every write of a record counts an attempt and takes a new revision, so a claim
            // taken before it is never completed.
            String counted = "attempts = dualwrite_source_repair.attempts + 1, revision = excluded.revision";
            this.record = insert + "values (?, ?, ?, ?, " + now + ", " + now + ", 1, ?)\n" + conflict
                    + "target_store = excluded.target_store, reason = excluded.reason, "
                    + "last_recorded_at_ms = excluded.last_recorded_at_ms, " + counted;
            // A failure says more than a precaution: an existing record keeps its reason.
            this.recordKeepingReason = insert + "values (?, ?, ?, ?, " + now + ", " + now + ", 1, ?)\n" + conflict
                    + "target_store = excluded.target_store, last_recorded_at_ms = excluded.last_recorded_at_ms, "
                    + counted;
            // As Redis's promotion: an existing record keeps its times and counts an attempt per
            // intent of the key (the attempts of the row proposed), with a new revision.
            this.recordInterrupted = insert + "values (?, ?, ?, ?, ?, ?, ?, ?)\n" + conflict
                    + "target_store = excluded.target_store, reason = excluded.reason, "
                    + "attempts = dualwrite_source_repair.attempts + excluded.attempts, revision = excluded.revision";
            // Materialized: the rows the CTE locked are the rows the statement changes, never a
            // second scan that PostgreSQL might run if it inlined the CTE.
            this.deleteOldIntents = "with picked as materialized (select intent from dualwrite_source_intent "
                    + "where repository = ? and opened_at_ms <= " + now + " - ? order by opened_at_ms limit ?"
                    + dialect.skipLocked() + ")\n"
                    + "delete from dualwrite_source_intent where repository = ? and intent in (select intent from picked)"
                    + "\nreturning entity_key, opened_at_ms";
            this.backlog = "select (select count(*) from dualwrite_source_repair where repository = ?)"
                    + " + (select count(*) from dualwrite_source_intent where repository = ? and opened_at_ms <= "
                    + now + " - ?)";
            this.isOpen = "select count(*) from dualwrite_source_repair where repository = ? and entity_key = ?";
            this.pending = "select " + RECORD_COLUMNS + " from dualwrite_source_repair where repository = ? "
                    + "order by first_recorded_at_ms limit ?";
            // A claim is free when it never was, its lease is over, or its backoff is over.
            this.claim = "with candidates as materialized (select entity_key from dualwrite_source_repair "
                    + "where repository = ? and (claimed_until_ms is null or claimed_until_ms <= " + now + ")"
                    + " and last_recorded_at_ms <= " + now + " - ? order by first_recorded_at_ms limit ?"
                    + dialect.skipLocked() + ")\n"
                    + "update dualwrite_source_repair set claimed_by = ?, claimed_until_ms = " + now + " + ?\n"
                    + "where repository = ? and entity_key in (select entity_key from candidates)\n"
                    + "returning " + RECORD_COLUMNS + ", repair_failures";
            this.complete = "delete from dualwrite_source_repair where repository = ? and entity_key = ? and revision = ?";
            this.unclaim = "update dualwrite_source_repair set claimed_by = null, claimed_until_ms = null, "
                    + "repair_failures = 0 where repository = ? and entity_key = ? and claimed_by = ?";
            this.release = "update dualwrite_source_repair set claimed_by = null, claimed_until_ms = " + now
                    + " + ?, repair_failures = repair_failures + 1 where repository = ? and entity_key = ? "
                    + "and claimed_by = ?";
            this.oldest = "select min(at) from (select min(first_recorded_at_ms) as at from dualwrite_source_repair "
                    + "where repository = ? union all select min(opened_at_ms) from dualwrite_source_intent "
                    + "where repository = ? and opened_at_ms <= " + now + " - ?) as oldest";
        }

    }

}
