package dev.dualwrite.core.backfill;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.dualwrite.core.backfill.CatchUpWriter.GoneRow;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.store.PostgresSide;
import dev.dualwrite.core.store.scan.KeyGlob;
import dev.dualwrite.core.store.scan.OldStoreScanner;
import dev.dualwrite.core.store.scan.ScanSettings;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catch-up's second phase: rows whose key is gone from Redis, which no scan of Redis can
 * find. Walks the table's ids in keyset pages (primary key order, one index range scan per
 * page), asks Redis which of their keys exist (a multi-key {@code EXISTS}), and deletes the
 * rows of the missing ones under their keys' locks after asking Redis again
 * ({@link PostgresBatchWriter#removeGone}). Paused, stopped and throttled like the scan, and
 * stopped when the stage moves ({@link StageGuard}). A row PostgreSQL refuses to delete (a
 * foreign key that references it) is set aside as a reject and the others are still deleted.
 * The counts are saved with the checkpoint after every page, but not the position: a run
 * resumed after it started walks the ids again from the first, which reads PostgreSQL's index
 * and Redis's key space but writes only what is still to remove.
 * @param <R> the Redis entity type
 * @param <P> the PostgreSQL entity type
 * @param <ID> the id type
 */
final class GoneKeysSweep<R, P, ID> {

    private static final Logger logger = LoggerFactory.getLogger(Backfill.class);

    private final BackfillSource<R, P, ID> source;

    private final BackfillOptions options;

    private final RunStatus status;

    private final BackfillControl control;

    private final RunProgress progress;

    private final Retries retries;

    private final BackfillMetrics metrics;

    private final StageGuard stage;

    private final RejectRecorder rejects;

    private final CheckpointTracker checkpoint;

    private final @Nullable KeyGlob idPattern;

    GoneKeysSweep(BackfillSource<R, P, ID> source, BackfillOptions options, RunStatus status, BackfillControl control,
            RunProgress progress, Retries retries, BackfillMetrics metrics, StageGuard stage, RejectRecorder rejects,
            CheckpointTracker checkpoint) {
        this.source = source;
        this.options = options;
        this.status = status;
        this.control = control;
        this.progress = progress;
        this.retries = retries;
        this.metrics = metrics;
        this.stage = stage;
        this.rejects = rejects;
        this.checkpoint = checkpoint;
        this.idPattern = "*".equals(options.keyPattern()) ? null : new KeyGlob(options.keyPattern());
    }

    /**
     * Remove (in a dry run: count) the rows whose key Redis does not hold.
     * @return whether every id was checked (not stopped, not failed)
     */
    boolean run() throws InterruptedException {
        DualRepository<R, P, ID> repository = this.source.repository();
        PostgresSide<P, ID> side = repository.postgres();
        OldStoreScanner<R, ID> scanner = this.source.scanner();
        ScanSettings settings = this.options.scanSettings();
        int pageSize = this.options.batchSize();
        long checked = 0;
        long before = this.progress.removed.get();
        long lastLog = System.nanoTime();
        ID after = null;
        logger.info("dual-write: catch-up of '{}' looks for rows whose key is gone from Redis", this.source.name());
        while (!this.status.shouldStop()) {
            this.control.awaitResumed(() -> this.status.state(BackfillState.PAUSED), this.status::hasFailed);
            if (this.status.shouldStop()) {
                break;
            }
            this.status.state(BackfillState.RUNNING);
            String moved = this.retries.call("read the repository's stage", this.stage::beforeBatch);
            if (moved != null) {
                this.status.fail(moved);
                break;
            }
            ID from = after;
            List<ID> ids = this.retries.call("read PostgreSQL's ids", () -> side.idsAfter(from, pageSize));
            if (ids.isEmpty()) {
                return done(checked, before);
            }
            after = ids.get(ids.size() - 1);
            List<GoneRow> candidates = new ArrayList<>(ids.size());
            for (ID id : ids) {
                String key = repository.keyOf(id);
                if (this.idPattern == null || this.idPattern.matches(key)) {
                    candidates.add(new GoneRow(key, scanner.keyOf(id), id));
                }
            }
            // Rows checked count against the limit too: each is a key asked of Redis.
            this.control.limiter().acquire(candidates.size(), this.status::shouldStop);
            checked += candidates.size();
            Set<String> existing = this.retries.call("ask Redis which keys exist",
                    () -> scanner.existing(candidates.stream().map(GoneRow::redisKey).toList(), settings));
            List<GoneRow> missing = candidates.stream().filter((row) -> !existing.contains(row.redisKey())).toList();
            if (!missing.isEmpty()) {
                if (this.options.dryRun()) {
                    this.progress.removed.addAndGet(missing.size());
                }
                else {
                    remove(missing, settings);
                }
            }
            this.checkpoint.save(BackfillState.RUNNING, null);
            if (System.nanoTime() - lastLog >= this.options.progressInterval().toNanos()) {
                lastLog = System.nanoTime();
                logger.info("dual-write: catch-up of '{}' looking for rows whose key is gone: {} rows checked, {} {}",
                        this.source.name(), checked, this.progress.removed.get() - before,
                        this.options.dryRun() ? "found" : "removed");
            }
            if (ids.size() < pageSize) {
                return done(checked, before);
            }
        }
        return false;
    }

    // PostgreSQL may refuse a delete for one row's sake (a foreign key referencing it): the
    // page is then deleted row by row, and each refused row set aside, as the scan does. Such
    // a refusal is not retried; a store failing is.
    private void remove(List<GoneRow> rows, ScanSettings settings) {
        OldStoreScanner<R, ID> scanner = this.source.scanner();
        for (int attempt = 1;; attempt++) {
            try {
                Set<String> removed = this.source.writer()
                    .removeGone(rows, (keys) -> scanner.existing(keys, settings));
                this.progress.removed.addAndGet(removed.size());
                this.metrics.caughtUp(this.source.name(), 0, removed.size());
                return;
            }
            catch (RuntimeException ex) {
                if (BackfillErrors.isDataProblem(ex)) {
                    setAside(rows, settings, ex);
                    return;
                }
                if (!this.retries.shouldRetry(attempt)) {
                    throw new IllegalStateException("could not delete rows whose key is gone after " + attempt
                            + " attempt(s): " + BackfillErrors.describe(ex), ex);
                }
                logger.warn("dual-write: catch-up of '{}' could not delete rows whose key is gone (attempt {} of {}), "
                        + "retrying: {}", this.source.name(), attempt, this.options.attempts(),
                        BackfillErrors.describe(ex));
                this.retries.pause(attempt);
            }
        }
    }

    private void setAside(List<GoneRow> rows, ScanSettings settings, RuntimeException ex) {
        if (rows.size() == 1) {
            this.rejects.reject(rows.get(0).redisKey(), "the key is gone from Redis but PostgreSQL refused to delete "
                    + "its row: " + BackfillErrors.sqlProblem(ex), null);
            return;
        }
        for (GoneRow row : rows) {
            remove(List.of(row), settings);
        }
    }

    private boolean done(long checked, long before) {
        logger.info("dual-write: catch-up of '{}' checked {} rows in Redis, {} {} whose key is gone", this.source.name(),
                checked, this.progress.removed.get() - before, this.options.dryRun() ? "found" : "removed");
        return true;
    }

}
