package dev.dualwrite.core.backfill;

/**
 * Order of repositories in a job that names several: higher priorities first, unless a
 * dependency says otherwise.
 */
public enum BackfillPriority {

    CRITICAL, HIGH, MEDIUM, LOW

}
