package dev.dualwrite.core.backfill;

import java.util.List;

/**
 * The outcome of a job: one report per repository, in the order they ran.
 * @param jobId the job's id
 * @param reports the reports
 */
public record BackfillJobReport(String jobId, List<BackfillReport> reports) {

    /** Exit status when every repository completed (and, with fail-on-rejects, set nothing aside). */
    public static final int EXIT_SUCCESS = 0;

    /** Exit status when a repository failed, was stopped or skipped, or the job could not start. */
    public static final int EXIT_FAILED = 1;

    /** Exit status when every repository completed but keys were set aside (with fail-on-rejects). */
    public static final int EXIT_REJECTS = 2;

    public BackfillJobReport {
        reports = List.copyOf(reports);
    }

    /** Tell whether every repository completed. */
    public boolean completed() {
        return this.reports.stream().allMatch((report) -> report.state() == BackfillState.COMPLETED);
    }

    /** Return the number of keys set aside over all repositories. */
    public long rejects() {
        return this.reports.stream().mapToLong(BackfillReport::rowsRejected).sum();
    }

    /**
     * Return the process exit status of a one-shot run: {@value #EXIT_SUCCESS} when every
     * repository completed without rejects, {@value #EXIT_REJECTS} when all completed but
     * keys were set aside and {@code failOnRejects} is set, {@value #EXIT_FAILED} otherwise.
     * @param failOnRejects whether rejects make the run unsuccessful
     * @return the exit status
     */
    public int exitCode(boolean failOnRejects) {
        if (!completed()) {
            return EXIT_FAILED;
        }
        return (failOnRejects && rejects() > 0) ? EXIT_REJECTS : EXIT_SUCCESS;
    }

}
