package dev.dualwrite.core.backfill;

import java.util.List;

/**
 * Hears what a {@link Backfill} does, and may refuse a job before it starts: how the control
 * plane keeps a backfill from starting while an instance still writes Redis alone, and
 * records runs in its ledger. Dry runs are not reported.
 */
public interface BackfillListener {

    /** A listener that refuses nothing and records nothing. */
    BackfillListener NONE = new BackfillListener() {
    };

    /**
     * Called before a job that writes starts, on the caller's thread; throw to refuse it
     * (nothing is started and the exception reaches the caller).
     * @param repositories the repositories the job will copy, in order
     * @param startedBy who asked
     */
    default void beforeStart(List<String> repositories, String startedBy) {
    }

    /**
     * Called when a repository's run starts copying.
     * @param repository the repository
     * @param runId the run
     * @param resumed whether it resumes an earlier run from its checkpoint
     * @param startedBy who asked
     */
    default void started(String repository, String runId, boolean resumed, String startedBy) {
    }

    /**
     * Called when a repository's run has ended, whatever its outcome.
     * @param report what it did
     * @param startedBy who asked
     */
    default void finished(BackfillReport report, String startedBy) {
    }

}
