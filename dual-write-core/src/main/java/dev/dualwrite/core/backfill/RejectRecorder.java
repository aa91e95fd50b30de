package dev.dualwrite.core.backfill;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets keys aside: a row in the rejects table (not in a dry run), a log line for each of the
 * first 100 and a note after that (a run over bad data must not flood the log), the first 100
 * in the report, and a stop when fail-fast is asked for.
 */
final class RejectRecorder {

    private static final Logger logger = LoggerFactory.getLogger(Backfill.class);

    static final int REPORTED = 100;

    private final String repository;

    private final String runId;

    private final BackfillOptions options;

    private final RejectStore store;

    private final BackfillMetrics metrics;

    private final RunProgress progress;

    private final Retries retries;

    private final Consumer<String> failRun;

    private final List<BackfillReport.RejectedKey> first = Collections.synchronizedList(new ArrayList<>());

    RejectRecorder(String repository, String runId, BackfillOptions options, RejectStore store, BackfillMetrics metrics,
            RunProgress progress, Retries retries, Consumer<String> failRun) {
        this.repository = repository;
        this.runId = runId;
        this.options = options;
        this.store = store;
        this.metrics = metrics;
        this.progress = progress;
        this.retries = retries;
        this.failRun = failRun;
    }

    void reject(String key, String reason, @Nullable String rawValue) {
        long count = this.progress.rejected.incrementAndGet();
        boolean dryRun = this.options.dryRun();
        if (!dryRun) {
            this.retries.call("record a reject", () -> {
                this.store.record(this.repository, key, reason, rawValue, this.runId);
                return null;
            });
            this.metrics.rows(this.repository, 0, 0, 0, 1);
        }
        synchronized (this.first) {
            if (this.first.size() < REPORTED) {
                this.first.add(new BackfillReport.RejectedKey(key, reason));
            }
        }
        if (count <= REPORTED) {
            logger.warn("dual-write: backfill{} of '{}' {} Redis key '{}': {}", dryRun ? " (dry run)" : "",
                    this.repository, dryRun ? "would set aside" : "set aside", key, reason);
        }
        else if (count == REPORTED + 1) {
            logger.warn("dual-write: backfill of '{}' has set aside more than {} keys; further ones are not logged "
                    + "one by one (list them with the endpoint or the rejects table)", this.repository, REPORTED);
        }
        if (this.options.failFast()) {
            this.failRun.accept("fail-fast: Redis key '" + key + "' was set aside: " + reason);
        }
    }

    List<BackfillReport.RejectedKey> first() {
        synchronized (this.first) {
            return List.copyOf(this.first);
        }
    }

}
