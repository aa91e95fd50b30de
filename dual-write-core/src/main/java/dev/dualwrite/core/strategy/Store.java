package dev.dualwrite.core.strategy;

import java.util.Locale;

/**
 * The two stores a migration moves data between.
 * <p>
 * The names are the product's vocabulary and stay as they are whatever the old store is:
 * {@link #REDIS} means the old store, Redis or another (a JDBC table, a user's own
 * {@link dev.dualwrite.core.store.OldStore}), and so does the {@code redis} tag value in meters,
 * reports and repair records; {@link #POSTGRES} is always PostgreSQL.
 */
public enum Store {

    /** The old store, which the data comes from: Redis, or another old store. */
    REDIS,

    /** The new store, which the data moves to: PostgreSQL. */
    POSTGRES;

    /**
     * Return the lowercase name used in meter tags and reports.
     * @return {@code redis} or {@code postgres}
     */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

}
