package dev.dualwrite.core.backfill;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.util.Assert;

/**
 * The {@code dualwrite_backfill_checkpoint} table: one row per repository. Each write of a run
 * is its own statement (auto-commit), never part of a batch's transaction: a checkpoint only
 * ever names a position whose batches have all committed, so a crash in between at worst
 * repeats work, which the backfill's inserts absorb.
 */
public class CheckpointStore {

    private final JdbcOperations jdbc;

    public CheckpointStore(JdbcOperations jdbc) {
        Assert.notNull(jdbc, "jdbc must not be null");
        this.jdbc = jdbc;
    }

    public Optional<BackfillCheckpoint> find(String repository) {
        return this.jdbc.query("select * from dualwrite_backfill_checkpoint where repository = ?", CheckpointStore::map,
                repository).stream().findFirst();
    }

    /**
     * Find a repository's checkpoint and lock its row until the caller's transaction ends.
     * @param repository the repository
     * @return the checkpoint, if any
     */
    public Optional<BackfillCheckpoint> findForUpdate(String repository) {
        return this.jdbc.query("select * from dualwrite_backfill_checkpoint where repository = ? for update",
                CheckpointStore::map, repository).stream().findFirst();
    }

    public List<BackfillCheckpoint> findAll() {
        return this.jdbc.query("select * from dualwrite_backfill_checkpoint order by repository", CheckpointStore::map);
    }

    /**
     * Forget a repository's checkpoint, and the partitions of its partitioned run, so that its
     * next run starts from the beginning and a run still going on cannot complete it: when a
     * repository enters {@code DUAL} from {@code REDIS_PRIMARY}, every earlier copy may miss
     * writes made while PostgreSQL was not kept. A partitioned run's workers find their claims
     * gone at their next renewal or checkpoint and stop before their next batch, rather than
     * finish the partitions they hold. It takes the lock under which partitioned runs are
     * created first, so a run created meanwhile is forgotten too, and runs in the caller's
     * transaction, or in one of its own when there is none.
     * @param repository the repository
     */
    public void forget(String repository) {
        this.jdbc.execute((ConnectionCallback<Void>) (connection) -> {
            boolean ownTransaction = connection.getAutoCommit();
            if (ownTransaction) {
                connection.setAutoCommit(false);
            }
            try {
                // Separate statements, each seeing what committed before it started (READ
                // COMMITTED, PostgreSQL's default and the control plane's): a single one would
                // look at the tables as they were before it waited for the lock.
                execute(connection, "select " + PartitionStore.RUNS_LOCK_SQL, PartitionStore.runsLockName(repository));
                execute(connection, "delete from dualwrite_backfill_checkpoint where repository = ?", repository);
                execute(connection, "delete from dualwrite_backfill_partition where repository = ?", repository);
                if (ownTransaction) {
                    connection.commit();
                }
            }
            catch (SQLException | RuntimeException ex) {
                if (ownTransaction) {
                    connection.rollback();
                }
                throw ex;
            }
            finally {
                if (ownTransaction) {
                    connection.setAutoCommit(true);
                }
            }
            return null;
        });
    }

    private static void execute(Connection connection, String sql, String parameter) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            statement.execute();
        }
    }

    /**
     * Record the start of a run (or of a resumed run, keeping its counters).
     * @param checkpoint the state to start from
     */
    public void begin(BackfillCheckpoint checkpoint) {
        this.jdbc.update("insert into dualwrite_backfill_checkpoint (repository, run_id, state, key_pattern, mode, "
                + "position, rows_read, rows_written, rows_skipped, rows_rejected, rows_refreshed, rows_removed, "
                + "message, started_at, updated_at, finished_at) "
                + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, now(), null) on conflict (repository) do update set "
                + "run_id = excluded.run_id, state = excluded.state, key_pattern = excluded.key_pattern, "
                + "mode = excluded.mode, position = excluded.position, rows_read = excluded.rows_read, "
                + "rows_written = excluded.rows_written, rows_skipped = excluded.rows_skipped, "
                + "rows_rejected = excluded.rows_rejected, rows_refreshed = excluded.rows_refreshed, "
                + "rows_removed = excluded.rows_removed, message = null, "
                + "started_at = excluded.started_at, updated_at = now(), finished_at = null",
                checkpoint.repository(), checkpoint.runId(), checkpoint.state().name(), checkpoint.keyPattern(),
                checkpoint.mode().name(), checkpoint.position(), checkpoint.rowsRead(), checkpoint.rowsWritten(),
                checkpoint.rowsSkipped(), checkpoint.rowsRejected(), checkpoint.rowsRefreshed(),
                checkpoint.rowsRemoved(), Timestamp.from(checkpoint.startedAt()));
    }

    /**
     * Move the checkpoint of a run.
     * @param repository the repository
     * @param runId the run, so that a stale run never moves a newer run's checkpoint
     * @param state the run's state
     * @param position the position up to which everything committed
     * @param counters rows read, written, skipped, rejected, refreshed, removed, over the whole run
     * @param message why the run failed, if it did
     */
    public void update(String repository, String runId, BackfillState state, String position, long[] counters,
            @Nullable String message) {
        this.jdbc.update("update dualwrite_backfill_checkpoint set state = ?, position = ?, rows_read = ?, "
                + "rows_written = ?, rows_skipped = ?, rows_rejected = ?, rows_refreshed = ?, rows_removed = ?, "
                + "message = ?, updated_at = now(), "
                + "finished_at = case when ? then now() else null end where repository = ? and run_id = ?",
                state.name(), position, counters[0], counters[1], counters[2], counters[3], counters[4], counters[5],
                message,
                state.isFinal(), repository, runId);
    }

    private static BackfillCheckpoint map(ResultSet rs, int row) throws SQLException {
        Timestamp finished = rs.getTimestamp("finished_at");
        return new BackfillCheckpoint(rs.getString("repository"), rs.getString("run_id"),
                BackfillState.valueOf(rs.getString("state")), rs.getString("key_pattern"),
                BackfillMode.valueOf(rs.getString("mode")), rs.getString("position"), rs.getLong("rows_read"),
                rs.getLong("rows_written"), rs.getLong("rows_skipped"), rs.getLong("rows_rejected"),
                rs.getLong("rows_refreshed"), rs.getLong("rows_removed"), rs.getString("message"), rs.getTimestamp("started_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(), (finished != null) ? finished.toInstant() : null);
    }

}
