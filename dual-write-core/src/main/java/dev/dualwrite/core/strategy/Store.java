package dev.dualwrite.core.strategy;

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
        return name().toLowerCase(java.util.Locale.ROOT);
    }

}
