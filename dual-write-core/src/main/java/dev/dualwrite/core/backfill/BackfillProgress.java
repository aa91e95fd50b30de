package dev.dualwrite.core.backfill;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one repository's backfill.
 * @param repository the repository name
 * @param state where the run stands
 * @param dryRun whether nothing is written ({@code rowsWritten} then counts rows that would be)
 * @param mode what the run does with rows PostgreSQL already holds
 * @param rowsRead keys read from Redis in this run (a key Redis returned twice counts twice)
 * @param rowsWritten rows inserted into PostgreSQL
 * @param rowsSkipped rows already in PostgreSQL (written by live traffic or an earlier run),
 * or deleted from Redis while being copied (in a catch-up: present and equal to Redis)
 * @param rowsRefreshed present rows a catch-up rewrote with Redis's current value (in a dry
 * run: present rows that differ from Redis)
 * @param rowsRemoved rows a catch-up deleted because their key is no longer in Redis (in a dry
 * run: rows whose key is missing)
 * @param rowsRejected keys set aside
 * @param rowsPerSecond recent read rate
 * @param fraction estimated part of the store scanned, 0 to 1
 * @param estimatedTotal estimated number of keys ({@code SCARD} for a keyspace, an
 * extrapolation from the scan for a prefix), {@code -1} while unknown
 * @param eta estimated time left, {@code null} while unknown
 * @param elapsed time since the run started
 * @param rateLimit the rate limit in force, 0 for none
 * @param resumed whether the run continued from a checkpoint
 * @param message why it failed or was skipped
 */
public record BackfillProgress(String repository, BackfillState state, boolean dryRun, BackfillMode mode,
        long rowsRead, long rowsWritten, long rowsSkipped, long rowsRefreshed, long rowsRemoved, long rowsRejected, double rowsPerSecond, double fraction,
        long estimatedTotal, @Nullable Duration eta, Duration elapsed, double rateLimit, boolean resumed,
        @Nullable String message) {

    /** Return the progress as a percentage, rounded down. */
    public int percent() {
        return (int) Math.floor(this.fraction * 100);
    }

}
