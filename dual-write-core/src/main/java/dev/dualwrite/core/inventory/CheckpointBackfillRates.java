package dev.dualwrite.core.inventory;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.util.Assert;

/**
 * Backfill rates from the backfill's checkpoints ({@code dualwrite_backfill_checkpoint}, one
 * row per repository: its last run's rows read, when that run started and when its row last
 * moved or the run ended). Read-only.
 * <p>
 * What the table records bounds what the rate means: the rows read count every attempt of a
 * run, while the start is that of its last attempt, so a run resumed after a stop shows a
 * higher rate than it had. The checkpoint does not say whether its run resumed; the ledger
 * ({@code dualwrite_ledger}) does, when the control plane records backfills there, and such a
 * rate is then marked {@linkplain MeasuredRate#resumed() resumed}. A dry run writes no
 * checkpoint and so measures nothing here.
 */
public class CheckpointBackfillRates implements BackfillRates {

    private static final Logger logger = LoggerFactory.getLogger(CheckpointBackfillRates.class);

    private static final String LAST_RUN = """
            select run_id, state, mode, rows_read, started_at, coalesce(finished_at, updated_at) as ended_at
            from dualwrite_backfill_checkpoint where repository = ?""";

    // BackfillRecorder's details of a start: "run <id>, resuming from its checkpoint".
    private static final String RESUMED = """
            select count(*) from dualwrite_ledger
            where repository = ? and action = 'BACKFILL_STARTED' and details = ?""";

    private final JdbcOperations jdbc;

    /**
     * @param jdbc the database that holds dual-write's tables
     */
    public CheckpointBackfillRates(JdbcOperations jdbc) {
        Assert.notNull(jdbc, "jdbc must not be null");
        this.jdbc = jdbc;
    }

    @Override
    public Optional<MeasuredRate> lastRate(String repository) {
        List<MeasuredRate> rates;
        try {
            rates = this.jdbc.query(LAST_RUN, (rs, row) -> {
                long rows = rs.getLong("rows_read");
                Timestamp started = rs.getTimestamp("started_at");
                Timestamp ended = rs.getTimestamp("ended_at");
                Duration duration = Duration.between(started.toInstant(), ended.toInstant());
                if (rows <= 0 || duration.toMillis() <= 0) {
                    return null;
                }
                return new MeasuredRate(rows * 1000.0 / duration.toMillis(), rows, duration, rs.getString("run_id"),
                        rs.getString("state"), rs.getString("mode"), ended.toInstant(), false);
            }, repository);
        }
        catch (BadSqlGrammarException ex) {
            // No checkpoint table (the library's migration has not run): nothing was measured.
            // Any other failure (PostgreSQL down) is the caller's to report.
            logger.debug("dual-write inventory: no backfill checkpoint of '{}' could be read ({})", repository,
                    ex.getMessage());
            return Optional.empty();
        }
        return rates.stream().filter((rate) -> rate != null).findFirst().map((rate) -> resumed(repository, rate));
    }

    private MeasuredRate resumed(String repository, MeasuredRate rate) {
        Integer starts;
        try {
            starts = this.jdbc.queryForObject(RESUMED, Integer.class, repository,
                    "run " + rate.run() + ", resuming from its checkpoint");
        }
        catch (BadSqlGrammarException ex) {
            // No ledger table: whether the run resumed is not known.
            return rate;
        }
        if (starts == null || starts == 0) {
            return rate;
        }
        return new MeasuredRate(rate.rowsPerSecond(), rate.rows(), rate.duration(), rate.run(), rate.state(),
                rate.mode(), rate.measuredAt(), true);
    }

}
