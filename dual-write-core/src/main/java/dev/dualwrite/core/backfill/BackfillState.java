package dev.dualwrite.core.backfill;

/**
 * Where the backfill of one repository stands.
 */
public enum BackfillState {

    /** Waiting for its turn in a job. */
    PENDING,

    /** Copying. */
    RUNNING,

    /** Paused by the operator; resumes where it stopped. */
    PAUSED,

    /** Stopped by the operator; the next start resumes from the checkpoint. */
    STOPPED,

    /** Every key was scanned and copied (or set aside as a reject). */
    COMPLETED,

    /** Failed (a store kept failing, or fail-fast met a reject); the next start resumes from the checkpoint. */
    FAILED,

    /** Not run, because a repository it depends on did not complete. */
    SKIPPED;

    /** Tell whether the state is final for a run. */
    public boolean isFinal() {
        return this == STOPPED || this == COMPLETED || this == FAILED || this == SKIPPED;
    }

}
