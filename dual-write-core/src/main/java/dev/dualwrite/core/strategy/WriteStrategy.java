package dev.dualwrite.core.strategy;

import org.jspecify.annotations.Nullable;

/**
 * The four stages of a migration from Redis to PostgreSQL, walked in declaration order.
 * <p>
 * Each stage fixes which store is written first (the primary, whose failure fails the
 * call), which store is then brought in line (the secondary, whose failure is recorded
 * for repair instead of thrown) and which store serves reads. Adjacent stages are
 * compatible, so instances that briefly disagree by one stage never lose a write.
 */
public enum WriteStrategy {

    /** Redis only: adding the library changes nothing. */
    REDIS_PRIMARY(Store.REDIS, null),

    /** Redis first, then PostgreSQL; reads from Redis. The backfill runs in this stage. */
    DUAL(Store.REDIS, Store.POSTGRES),

    /** PostgreSQL first, then Redis, kept warm for rollback; reads from PostgreSQL. */
    POSTGRES_PRIMARY(Store.POSTGRES, Store.REDIS),

    /** PostgreSQL only: Redis is no longer touched. */
    POSTGRES_ONLY(Store.POSTGRES, null);

    private final Store primary;

    private final @Nullable Store secondary;

    WriteStrategy(Store primary, @Nullable Store secondary) {
        this.primary = primary;
        this.secondary = secondary;
    }

    /**
     * Return the store written first; its failure fails the caller.
     * @return the primary store
     */
    public Store primary() {
        return this.primary;
    }

    /**
     * Return the store brought in line after the primary, if this stage writes two stores.
     * @return the secondary store, or {@code null} in single-store stages
     */
    public @Nullable Store secondary() {
        return this.secondary;
    }

    /**
     * Return the store that serves reads (ramped and shadow reads aside): always the primary.
     * @return the store reads come from
     */
    public Store readStore() {
        return this.primary;
    }

    /**
     * Return whether this stage writes both stores.
     * @return whether there is a secondary store
     */
    public boolean writesBoth() {
        return this.secondary != null;
    }

    /**
     * Return whether {@code other} is this stage or one step away from it, the only moves
     * that keep instances which briefly disagree compatible.
     * @param other the stage to move to
     * @return whether the move is at most one step
     */
    public boolean isAdjacentTo(WriteStrategy other) {
        return Math.abs(ordinal() - other.ordinal()) <= 1;
    }

}
