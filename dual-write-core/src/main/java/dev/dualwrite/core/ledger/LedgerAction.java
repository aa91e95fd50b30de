package dev.dualwrite.core.ledger;

/**
 * What a {@link LedgerEntry} records.
 */
public enum LedgerAction {

    /** A repository's stage was first stored, from the configuration. */
    STAGE_SEEDED,

    /** A repository moved to another stage. */
    STAGE_CHANGED,

    /** The ramped or shadow read shares of a repository changed. */
    READS_CHANGED,

    /** A backfill of the repository started. */
    BACKFILL_STARTED,

    /** A backfill of the repository ended; the outcome is its final state. */
    BACKFILL_FINISHED,

    /** A verification of the repository started. */
    VERIFICATION_STARTED,

    /** A verification of the repository ended: {@code AGREE}, {@code DIFFER} or {@code INCOMPLETE}. */
    VERIFICATION_FINISHED,

    /** Keys listed by a verification report were repaired. */
    REPAIRED_FROM_REPORT,

    /** After a move back from {@code POSTGRES_ONLY}, every key written there reached Redis. */
    ROLLBACK_SYNCED,

    /** An inventory of the old store that covers the repository started. */
    INVENTORY_STARTED,

    /** An inventory of the old store ended: {@code COMPLETED} (the details hold its figures) or {@code FAILED}. */
    INVENTORY_FINISHED

}
