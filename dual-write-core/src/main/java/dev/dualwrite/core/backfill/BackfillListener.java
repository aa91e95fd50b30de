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
     * Check that a catch-up ({@link BackfillMode#CATCH_UP}) of a repository may write: called
     * when its run starts, with {@code since} {@code -1}, then before each of its batches and
     * pages with what that first call returned, so that the run stops once the stage moved.
     * A catch-up writes Redis's values over present rows, which is sound only while every
     * instance applies {@code DUAL} (Redis the primary everywhere, PostgreSQL kept). Throw to
     * refuse or stop the run; the exception's message becomes the run's reason.
     * @param repository the repository
     * @param since the version returned when the run started, or {@code -1} when it starts
     * @return the version of the stage checked (the control plane's epoch), to pass back
     */
    default long requireCatchUp(String repository, long since) {
        return since;
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
