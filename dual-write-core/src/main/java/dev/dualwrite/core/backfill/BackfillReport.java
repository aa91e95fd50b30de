package dev.dualwrite.core.backfill;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of one repository's backfill run.
 * @param repository the repository name
 * @param state how it ended
 * @param dryRun whether nothing was written ({@code rowsWritten} then counts rows that would be)
 * @param mode what the run did with rows PostgreSQL already held
 * @param resumed whether it continued from a checkpoint
 * @param rowsRead keys read
 * @param rowsWritten rows inserted (or, in a dry run, that would be)
 * @param rowsSkipped rows already present (in a catch-up: and equal to Redis), or deleted from
 * Redis meanwhile
 * @param rowsRefreshed present rows a catch-up rewrote with Redis's current value (in a dry
 * run: present rows that differ from Redis)
 * @param rowsRemoved rows a catch-up deleted because their key is no longer in Redis (in a dry
 * run: rows whose key is missing)
 * @param rowsRejected keys set aside
 * @param duration how long it took
 * @param rowsPerSecond rows read per second over the run
 * @param rejects the first rejects of the run (at most 100), with reasons
 * @param message why it failed or was skipped; for a worker of a partitioned run that did
 * neither, what it did (the partitions it copied, and whether it completed the run)
 */
public record BackfillReport(String repository, BackfillState state, boolean dryRun, BackfillMode mode,
        boolean resumed, long rowsRead, long rowsWritten, long rowsSkipped, long rowsRefreshed, long rowsRemoved,
        long rowsRejected, Duration duration, double rowsPerSecond,
        List<RejectedKey> rejects, @Nullable String message) {

    /**
     * One key set aside.
     * @param key the Redis key
     * @param reason why
     */
    public record RejectedKey(String key, String reason) {
    }

    /** Return a one-line summary for logs. */
    public String summary() {
        return String.format(Locale.ROOT,
                "%s%s of '%s' %s in %s: %,d read, %,d %s, %,d skipped, %s%,d rejected, %,.0f rows/s%s",
                (this.mode == BackfillMode.CATCH_UP) ? "catch-up backfill" : "backfill",
                this.dryRun ? " (dry run)" : "", this.repository, this.state.name().toLowerCase(Locale.ROOT),
                BackfillFormat.duration(this.duration), this.rowsRead, this.rowsWritten,
                this.dryRun ? "would be written" : "written", this.rowsSkipped,
                BackfillFormat.caughtUp(this.mode, this.dryRun, this.rowsRefreshed, this.rowsRemoved), this.rowsRejected,
                this.rowsPerSecond,
                (this.message != null) ? "; " + this.message : "");
    }

}
