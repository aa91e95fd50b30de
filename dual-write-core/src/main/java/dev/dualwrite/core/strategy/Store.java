package dev.dualwrite.core.strategy;

import java.util.Locale;

/**
 * The two stores a migration moves data between.
 */
public enum Store {

    /** The store the data comes from. */
    REDIS,

    /** The store the data moves to. */
    POSTGRES;

    /**
     * Return the lowercase name used in meter tags and reports.
     * @return {@code redis} or {@code postgres}
     */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

}
