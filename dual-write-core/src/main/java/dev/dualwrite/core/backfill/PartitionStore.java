package dev.dualwrite.core.backfill;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import dev.dualwrite.core.store.scan.OldStoreScanner;
import dev.dualwrite.core.store.scan.SourcePosition;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code dualwrite_backfill_partition} table: the partitions of partitioned runs, their
 * claims and positions. Every statement that moves a claimed partition names its owner (and
 * run): a worker whose lease ran out and was taken over changes nothing, and learns it from
 * the count of rows its statement changed. Leases are measured on PostgreSQL's clock, the one
 * every worker shares.
 */
final class PartitionStore {

    private static final String COLUMNS = "partition_key, run_id, state, position, owner, lease_until, claims, "
            + "rows_read, rows_written, rows_skipped, rows_rejected, updated_at";

    /**
     * The transaction-scoped advisory lock that serialises the creation of a repository's
     * partitioned run with other creations and with {@link CheckpointStore#forget}; its one
     * parameter is {@link #runsLockName}.
     */
    static final String RUNS_LOCK_SQL = "pg_advisory_xact_lock(hashtextextended(current_schema() || ?, 0))";

    private final JdbcTemplate jdbc;

    private final TransactionTemplate transactions;

    private final CheckpointStore checkpoints;

    PartitionStore(DataSource dataSource, CheckpointStore checkpoints) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.checkpoints = checkpoints;
    }

    /**
     * Join the repository's partitioned run, creating it (and its partitions) when there is
     * none to join: the last run completed, was not partitioned, or ran with other options.
     * Serialised per repository by a transaction-scoped advisory lock, so that workers that
     * arrive together create one run. An unfinished run that was not partitioned is split
     * from its checkpoint's position rather than scanned again.
     */
    Joined join(String repository, BackfillOptions options, OldStoreScanner<?, ?> scanner) {
        // The partitions of a new run are listed before the transaction, from where it would
        // start as things stand: asking the old store (Redis's masters) must not hold the runs'
        // lock, which a stage move's forget waits for. Listed again inside only if that start
        // changed meanwhile.
        Optional<BackfillCheckpoint> seen = this.checkpoints.find(repository);
        boolean resuming = resumes(seen, options);
        SourcePosition expectedStart = resuming ? scanner.parsePosition(seen.get().position())
                : scanner.initialPosition();
        // Not needed to join a partitioned run under way (the usual case for all but the first worker).
        Map<String, SourcePosition> listed = (resuming && partitionCount(repository, seen.get()) > 0) ? null
                : scanner.partitions(expectedStart);
        Joined joined = this.transactions.execute((transaction) -> {
            this.jdbc.query("select " + RUNS_LOCK_SQL, (rs) -> null, runsLockName(repository));
            // The checkpoint's row stays locked until the run is created: a forget (the
            // repository entering DUAL again) waits for it and deletes the new run, rather than
            // running between the read and the write and leaving a run that resumes a position
            // from before it.
            Optional<BackfillCheckpoint> last = this.checkpoints.findForUpdate(repository);
            SourcePosition start = scanner.initialPosition();
            boolean resumed = false;
            if (resumes(last, options)) {
                if (partitionCount(repository, last.get()) > 0) {
                    return new Joined(last.get().runId(), false, true, null);
                }
                start = scanner.parsePosition(last.get().position());
                resumed = true;
            }
            else if (last.isPresent() && last.get().state() != BackfillState.COMPLETED) {
                // Another run is unfinished, with other options: replacing it under its live
                // workers would make them copy for nothing.
                Long held = this.jdbc.queryForObject("select count(*) from dualwrite_backfill_partition where "
                        + "repository = ? and run_id = ? and state = 'RUNNING' and lease_until >= now()", Long.class,
                        repository, last.get().runId());
                if (held != null && held > 0) {
                    return new Joined(last.get().runId(), false, false, "the partitioned "
                            + "run " + last.get().runId() + " of '" + repository + "' (key pattern '"
                            + last.get().keyPattern() + "', " + last.get().mode() + ") is under way with other "
                            + "options than this worker's; start this worker with the same options, or wait for "
                            + "that run to end");
                }
            }
            String runId = UUID.randomUUID().toString();
            Map<String, SourcePosition> parts = (listed != null && start.text().equals(expectedStart.text())) ? listed
                    : scanner.partitions(start);
            this.jdbc.update("delete from dualwrite_backfill_partition where repository = ?", repository);
            for (Map.Entry<String, SourcePosition> part : parts.entrySet()) {
                this.jdbc.update("insert into dualwrite_backfill_partition (repository, partition_key, run_id, state, "
                        + "position) values (?, ?, ?, 'PENDING', ?)", repository, part.getKey(), runId,
                        part.getValue().text());
            }
            Instant now = Instant.now();
            this.checkpoints.begin(new BackfillCheckpoint(repository, runId, BackfillState.RUNNING,
                    options.keyPattern(), options.mode(), start.text(), 0, 0, 0, 0, 0, 0, null, now, now, null));
            return new Joined(runId, true, resumed, null);
        });
        return Objects.requireNonNull(joined);
    }

    private long partitionCount(String repository, BackfillCheckpoint run) {
        Long partitions = this.jdbc.queryForObject("select count(*) from dualwrite_backfill_partition where "
                + "repository = ? and run_id = ?", Long.class, repository, run.runId());
        return (partitions != null) ? partitions : 0;
    }

    // Whether a worker arriving now continues the last run (or splits it, if it was not
    // partitioned) rather than starting one: it is unfinished, with the worker's options.
    private static boolean resumes(Optional<BackfillCheckpoint> last, BackfillOptions options) {
        return last.isPresent() && last.get().state() != BackfillState.COMPLETED
                && last.get().keyPattern().equals(options.keyPattern()) && last.get().mode() == options.mode();
    }

    static String runsLockName(String repository) {
        return ":dualwrite-backfill-partitions:" + repository;
    }

    /**
     * Claim a partition that is pending, or whose lease ran out, for {@code owner}. Workers
     * claiming at once skip each other's candidate rows ({@code SKIP LOCKED}) rather than
     * wait, and a row updated meanwhile is checked again before it is claimed.
     * @return the claimed partition, or {@code null} when none is claimable now
     */
    @Nullable Claim claim(String repository, String runId, String owner, Duration lease) {
        List<Claim> claimed = this.jdbc.query("with candidate as (select partition_key, owner as previous "
                + "from dualwrite_backfill_partition where repository = ? and run_id = ? and (state = 'PENDING' "
                + "or (state = 'RUNNING' and lease_until < now())) order by partition_key limit 1 "
                + "for update skip locked) "
                + "update dualwrite_backfill_partition p set owner = ?, state = 'RUNNING', "
                + "lease_until = now() + ? * interval '1 millisecond', claims = p.claims + 1, updated_at = now() "
                + "from candidate c where p.repository = ? and p.partition_key = c.partition_key "
                + "returning p.partition_key, p.position, c.previous, p.rows_read, p.rows_written, "
                + "p.rows_skipped, p.rows_rejected",
                (rs, row) -> new Claim(rs.getString(1), rs.getString(2), rs.getString(3),
                        new long[] { rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7) }),
                repository, runId, owner, lease.toMillis(), repository);
        return claimed.isEmpty() ? null : claimed.get(0);
    }

    /** Extend the owner's lease; {@code false} when it is no longer the owner. */
    boolean renew(String repository, String partition, String runId, String owner, Duration lease) {
        return this.jdbc.update("update dualwrite_backfill_partition set lease_until = now() + ? * interval "
                + "'1 millisecond' where repository = ? and partition_key = ? and run_id = ? and owner = ? "
                + "and state = 'RUNNING'", lease.toMillis(), repository, partition, runId, owner) == 1;
    }

    /**
     * Move the owner's partition to {@code position} and end its claim as {@code state}:
     * {@code RUNNING} keeps it, {@code PENDING} releases it for any worker, {@code COMPLETED}
     * ends it. Saving the same end again changes nothing and still answers {@code true}: a
     * save retried because its first reply was lost finds its own work, not another worker's.
     * @param counters rows read, written, skipped and rejected, over all its claims
     * @return {@code false} when the partition is no longer the owner's: nothing moved
     */
    boolean save(String repository, String partition, String runId, String owner, BackfillState state,
            String position, long[] counters) {
        return this.jdbc.update("update dualwrite_backfill_partition set state = ?, position = ?, rows_read = ?, "
                + "rows_written = ?, rows_skipped = ?, rows_rejected = ?, updated_at = now(), "
                + "lease_until = case when ? = 'RUNNING' then lease_until end "
                + "where repository = ? and partition_key = ? and run_id = ? and owner = ? and (state = 'RUNNING' "
                + "or (state = ? and position = ? and rows_read = ? and rows_written = ? and rows_skipped = ? "
                + "and rows_rejected = ?))",
                state.name(), position, counters[0], counters[1], counters[2], counters[3], state.name(), repository,
                partition, runId, owner, state.name(), position, counters[0], counters[1], counters[2],
                counters[3]) == 1;
    }

    /**
     * Tell where a run stands, in one query: whether the repository's checkpoint is still
     * this run's, whether it completed, and how many of its partitions have not.
     */
    RunState state(String repository, String runId) {
        return Objects.requireNonNull(this.jdbc.queryForObject("select c.run_id = ? as current, "
                + "c.state = 'COMPLETED' as completed, p.open, p.partitions from (select count(*) filter "
                + "(where state <> 'COMPLETED') as open, count(*) as partitions from dualwrite_backfill_partition "
                + "where repository = ? and run_id = ?) p left join dualwrite_backfill_checkpoint c on c.repository = ?",
                (rs, row) -> new RunState(rs.getBoolean("current"), rs.getBoolean("completed"), rs.getLong("open"),
                        rs.getLong("partitions")),
                runId, repository, runId, repository));
    }

    /**
     * Mark the run completed with its totals, once every partition has (at once for a run split
     * from a checkpoint with nothing left to scan, which has none): the checkpoint's row lock
     * makes workers that try at once take turns, and only the first finds it unfinished.
     * @return the run's rows read, written, skipped and rejected when this call marked it
     * (exactly one call of a run does), {@code null} otherwise
     */
    long @Nullable [] completeRun(String repository, String runId) {
        List<long[]> totals = this.jdbc.query("update dualwrite_backfill_checkpoint c set state = 'COMPLETED', "
                + "rows_read = s.rows_read, rows_written = s.rows_written, rows_skipped = s.rows_skipped, "
                + "rows_rejected = s.rows_rejected, message = null, updated_at = now(), finished_at = now() from ("
                + SUMS + ") s where c.repository = ? and c.run_id = ? and c.state <> 'COMPLETED' and s.open = 0 "
                + "returning c.rows_read, c.rows_written, c.rows_skipped, c.rows_rejected",
                (rs, row) -> new long[] { rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4) },
                repository, runId, repository, runId);
        return totals.isEmpty() ? null : totals.get(0);
    }

    private static final String SUMS = "select coalesce(sum(rows_read), 0) as rows_read, "
            + "coalesce(sum(rows_written), 0) as rows_written, coalesce(sum(rows_skipped), 0) as rows_skipped, "
            + "coalesce(sum(rows_rejected), 0) as rows_rejected, count(*) filter (where state <> 'COMPLETED') as open "
            + "from dualwrite_backfill_partition where repository = ? and run_id = ?";

    /** Return the partitions of a repository's last partitioned run, by name. */
    List<BackfillPartition> list(String repository) {
        return this.jdbc.query("select " + COLUMNS + " from dualwrite_backfill_partition where repository = ? "
                + "order by partition_key", (rs, row) -> map(repository, rs), repository);
    }

    private static BackfillPartition map(String repository, ResultSet rs) throws SQLException {
        Timestamp lease = rs.getTimestamp("lease_until");
        return new BackfillPartition(repository, rs.getString("partition_key"), rs.getString("run_id"),
                BackfillState.valueOf(rs.getString("state")), rs.getString("position"), rs.getString("owner"),
                (lease != null) ? lease.toInstant() : null, rs.getInt("claims"), rs.getLong("rows_read"),
                rs.getLong("rows_written"), rs.getLong("rows_skipped"), rs.getLong("rows_rejected"),
                rs.getTimestamp("updated_at").toInstant());
    }

    /**
     * The run a worker joined.
     * @param runId its id
     * @param created whether this worker created it
     * @param resumed whether it continues earlier work (a run other workers started, or the
     * checkpoint of an unfinished run)
     * @param refused why the worker may not join, or {@code null}
     */
    record Joined(String runId, boolean created, boolean resumed, @Nullable String refused) {
    }

    /**
     * Where a run stands.
     * @param current whether the repository's checkpoint is still the run's
     * @param completed whether the run completed
     * @param open how many of its partitions have not completed
     * @param partitions how many partitions it has
     */
    record RunState(boolean current, boolean completed, long open, long partitions) {

        /** Return the share of the run's partitions completed, from 0 to 1. */
        double fraction() {
            return (this.partitions > 0) ? (this.partitions - this.open) / (double) this.partitions : 0;
        }

    }

    /**
     * A partition claimed by a worker.
     * @param partition its name
     * @param position where its scan stands
     * @param previousOwner the worker that held it before, if any (a takeover, or a release)
     * @param counters its rows read, written, skipped and rejected so far
     */
    record Claim(String partition, String position, @Nullable String previousOwner, long[] counters) {
    }

}
