package dev.dualwrite.core.backfill;

/**
 * What a backfill run does with rows that PostgreSQL already holds.
 */
public enum BackfillMode {

    /**
     * Insert the rows PostgreSQL lacks and leave present rows alone (counted as skipped).
     * Enough for the first backfill after entering {@code DUAL}: every present row was
     * written by a live write of this stage, which copied Redis's current state.
     */
    COPY_MISSING,

    /**
     * Also bring present rows that differ from Redis up to date and remove rows whose key is
     * no longer in Redis. For re-entering {@code DUAL} after a period in which PostgreSQL was
     * not kept (a rollback to {@code REDIS_PRIMARY}): rows from before that period may be
     * stale. Costs one extra query per batch and a walk over PostgreSQL's ids when nothing
     * changed; rows that differ are re-read from Redis under their key's lock before being
     * written, so a newer live write is never overwritten. Runs only at {@code DUAL}, whatever
     * {@link BackfillOptions#requireDual()} says, once every live instance applies it, and
     * stops before its next batch when the stage moves.
     */
    CATCH_UP

}
