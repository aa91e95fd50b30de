package dev.dualwrite.core.backfill;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's start and end as told to the {@link BackfillListener}: a listener that fails (its
 * ledger may live in a store that is down) never fails the run.
 */
record RunEvents(BackfillListener listener, String startedBy) {

    private static final Logger logger = LoggerFactory.getLogger(RunEvents.class);

    void started(String repository, String runId, boolean resumed) {
        try {
            this.listener.started(repository, runId, resumed, this.startedBy);
        }
        catch (RuntimeException ex) {
            logger.warn("dual-write: backfill of '{}': could not report its start ({})", repository,
                    BackfillErrors.describe(ex));
        }
    }

    void finished(BackfillReport report) {
        try {
            this.listener.finished(report, this.startedBy);
        }
        catch (RuntimeException ex) {
            logger.warn("dual-write: backfill of '{}': could not report its end ({})", report.repository(),
                    BackfillErrors.describe(ex));
        }
    }

}
