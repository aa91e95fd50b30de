package dev.dualwrite.core.backfill;

import java.time.Instant;
import java.util.Optional;
import java.util.function.DoubleConsumer;

import javax.sql.DataSource;

import dev.dualwrite.core.store.scan.OldStoreScanner;
import dev.dualwrite.core.store.scan.SourcePosition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of one repository's backfill: refuses a repository outside {@code DUAL}, takes the
 * cross-instance run lock, resumes from the checkpoint, runs the {@link CopyPipeline}
 * (reader and writers) and reports. The pieces: {@link BatchCopier} copies a batch,
 * {@link CheckpointTracker} moves the checkpoint past committed batches only,
 * {@link RejectRecorder} sets keys aside, {@link RunProgress} counts.
 * @param <R> the Redis entity type
 * @param <P> the PostgreSQL entity type
 * @param <ID> the id type
 */
final class RepositoryBackfill<R, P, ID> {

    private static final Logger logger = LoggerFactory.getLogger(Backfill.class);

    private final BackfillSource<R, P, ID> source;

    private final BackfillOptions options;

    private final BackfillControl control;

    private final CheckpointStore checkpoints;

    private final RejectStore rejectStore;

    private final BackfillMetrics metrics;

    private final DataSource lockDataSource;

    private final StageGuard stage;

    private final String runId;

    private final RunEvents events;

    private final RunStatus status;

    private final RunProgress progress;

    private final Retries retries;

    private final RejectRecorder rejects;

    private final PartitionedRun.Worker worker;

    // The checkpoint of a run that is not partitioned (a partitioned run's are its partitions').
    private @Nullable CheckpointTracker checkpoint;

    private volatile @Nullable String runMessage;

    private volatile boolean resumed;

    private long lastLogNanos;

    /**
     * @param worker this process's identity and partitions' table, used by a partitioned run
     * ({@link BackfillOptions#sharedByPartitions()})
     */
    RepositoryBackfill(BackfillSource<R, P, ID> source, BackfillOptions options, BackfillControl control,
            CheckpointStore checkpoints, RejectStore rejects, BackfillMetrics metrics, DataSource lockDataSource,
            StageGuard stage, String runId, RunEvents events, PartitionedRun.Worker worker) {
        this.worker = worker;
        this.source = source;
        this.options = options;
        this.control = control;
        this.checkpoints = checkpoints;
        this.rejectStore = rejects;
        this.metrics = metrics;
        this.lockDataSource = lockDataSource;
        this.stage = stage;
        this.runId = runId;
        this.events = events;
        this.status = new RunStatus(control);
        this.progress = new RunProgress(source.name(), options);
        this.retries = new Retries(source.name(), options, control::isStopRequested);
        this.rejects = new RejectRecorder(source.name(), runId, options, rejects, metrics, this.progress, this.retries,
                this.status::fail);
    }

    String name() {
        return this.source.name();
    }

    BackfillState state() {
        return this.status.state();
    }

    void skip(String why) {
        this.status.end(BackfillState.SKIPPED, why);
    }

    BackfillReport run() {
        this.progress.start();
        this.lastLogNanos = System.nanoTime();
        this.status.state(BackfillState.RUNNING);
        String refused = this.stage.atStart();
        if (refused != null) {
            return finish(BackfillState.FAILED, refused);
        }
        boolean partitioned = this.options.sharedByPartitions();
        RunLock lock = null;
        try {
            if (!this.options.dryRun()) {
                // Shared by the workers of a partitioned run; excludes any run that is not.
                lock = RunLock.acquire(this.lockDataSource, name(), partitioned);
            }
            boolean complete = partitioned ? copyPartitions() : copyAlone();
            String failure = this.status.failure();
            if (failure != null) {
                return finish(BackfillState.FAILED, failure);
            }
            return finish(complete ? BackfillState.COMPLETED : BackfillState.STOPPED, null);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return finish(BackfillState.STOPPED, "interrupted");
        }
        catch (RuntimeException ex) {
            return finish(BackfillState.FAILED, BackfillErrors.describe(ex));
        }
        finally {
            if (lock != null) {
                lock.close();
            }
        }
    }

    // The run's scan from its checkpoint to the end, then, in a catch-up, the sweep.
    private boolean copyAlone() throws InterruptedException {
        SourcePosition start = startPosition();
        CheckpointTracker checkpoint = new CheckpointTracker(name(), this.runId, this.checkpoints, this.progress,
                !this.options.dryRun(), start);
        this.checkpoint = checkpoint;
        logStart();
        this.events.started(name(), this.runId, this.resumed);
        this.progress.size(this.retries.call("count the keys", this.source.scanner()::size));
        boolean complete = pipeline(this.status, checkpoint, this.progress::fraction).run(start);
        if (complete && this.options.catchUp() && !this.status.hasFailed()) {
            // Only once every Redis key has been copied: a row the scan has yet to reach is
            // not "gone". The checkpoint now stands at the scan's end, so a run resumed
            // from it does this part alone.
            complete = new GoneKeysSweep<>(this.source, this.options, this.status, this.control, this.progress,
                    this.retries, this.metrics, this.stage, this.rejects, checkpoint).run();
        }
        return complete;
    }

    // A worker of a partitioned run: joins or creates the run, then copies partitions.
    private boolean copyPartitions() throws InterruptedException {
        PartitionStore.Joined joined = this.retries.call("join the partitioned run",
                () -> this.worker.store().join(name(), this.options, this.source.scanner()));
        if (joined.refused() != null) {
            this.status.fail(joined.refused());
            return false;
        }
        this.resumed = joined.resumed();
        logStart();
        logger.info("dual-write: backfill of '{}': worker {} {} partitioned run {}", name(), this.worker.id(),
                joined.created() ? "starts" : "joins", joined.runId());
        this.events.started(name(), joined.runId(), this.resumed);
        PartitionedRun run = new PartitionedRun(name(), this.options, this.status, this.control, this.progress,
                this.worker, this.retries, this.source.scanner()::parsePosition, this::pipeline);
        boolean complete = run.run(joined);
        this.resumed |= run.tookOver();
        this.runMessage = "worker " + this.worker.id() + " copied partitions " + run.copied()
                + (run.completedTheRun() ? " and completed the run" : "");
        return complete;
    }

    // The reader and writers of one scan, from a position to the end (a partition's, or the run's).
    private CopyPipeline pipeline(RunStatus status, CheckpointTracker checkpoint, DoubleConsumer fraction) {
        return new CopyPipeline(this.source, this.options, status, this.control, this.progress, checkpoint,
                new BatchCopier<>(this.source, this.options, this.progress, this.rejects, this.metrics, this.retries),
                this.retries, this.metrics, this.stage, fraction);
    }

    private SourcePosition startPosition() {
        OldStoreScanner<R, ID> scanner = this.source.scanner();
        if (this.options.dryRun()) {
            return scanner.initialPosition();
        }
        Optional<BackfillCheckpoint> checkpoint = this.checkpoints.find(name());
        SourcePosition start = scanner.initialPosition();
        // A catch-up never resumes a run that left present rows alone, nor the other way round.
        if (checkpoint.isPresent() && !this.options.restart() && checkpoint.get().state() != BackfillState.COMPLETED
                && checkpoint.get().keyPattern().equals(this.options.keyPattern())
                && checkpoint.get().mode() == this.options.mode()) {
            start = scanner.parsePosition(checkpoint.get().position());
            this.resumed = true;
            this.progress.resumeFrom(checkpoint.get());
        }
        long[] base = this.progress.base();
        this.checkpoints.begin(new BackfillCheckpoint(name(), this.runId, BackfillState.RUNNING,
                this.options.keyPattern(), this.options.mode(), start.text(), base[0], base[1], base[2], base[3],
                base[4], base[5], null, Instant.now(),
                Instant.now(), null));
        return start;
    }

    private void logStart() {
        double rate = this.control.limiter().rate();
        String fallback = this.source.writer().fallbackReason();
        logger.info("dual-write: {}{} of '{}' {} ({}, key pattern '{}', batches of {}, {} writer(s){}{})",
                this.options.catchUp() ? "catch-up backfill" : "backfill", this.options.dryRun() ? " (dry run)" : "",
                name(),
                this.resumed ? "resumes from its checkpoint" : "starts", this.source.scanner().describe(),
                this.options.keyPattern(), this.options.batchSize(), this.options.parallelism(),
                (rate > 0) ? ", at most " + rate + " rows/s" : "",
                (fallback != null) ? ", row by row because " + fallback : "");
    }

    private BackfillReport finish(BackfillState end, @Nullable String message) {
        CheckpointTracker checkpoint = this.checkpoint;
        this.progress.end();
        this.status.end(end, message);
        if (end == BackfillState.COMPLETED) {
            this.progress.completed();
        }
        if (checkpoint != null) {
            try {
                checkpoint.save(end, message);
            }
            catch (RuntimeException ex) {
                logger.warn("dual-write: backfill of '{}' could not save its final checkpoint ({}); the next run "
                        + "resumes from the last one saved", name(), BackfillErrors.describe(ex));
            }
        }
        this.metrics.progress(progress());
        BackfillReport report = report();
        this.events.finished(report);
        if (end == BackfillState.COMPLETED) {
            logger.info("dual-write: {}", report.summary());
        }
        else {
            logger.warn("dual-write: {}", report.summary());
        }
        return report;
    }

    BackfillReport report() {
        BackfillProgress now = progress();
        return new BackfillReport(name(), now.state(), this.options.dryRun(), this.options.mode(), this.resumed,
                now.rowsRead(), now.rowsWritten(), now.rowsSkipped(), now.rowsRefreshed(), now.rowsRemoved(),
                now.rowsRejected(), now.elapsed(),
                now.rowsRead() / Math.max(now.elapsed().toNanos() / 1e9, 1e-9), this.rejects.first(),
                (now.message() != null || this.runMessage == null) ? now.message() : this.runMessage);
    }

    BackfillProgress progress() {
        return this.progress.snapshot(this.status.state(), this.resumed, this.control.limiter().rate(),
                this.status.failure());
    }

    /** Called about once a second: samples the rate, feeds the gauges, logs at the interval. */
    synchronized void tick() {
        BackfillState state = this.status.state();
        if (state == BackfillState.PENDING || state.isFinal()) {
            return;
        }
        this.progress.sampleRate();
        BackfillProgress now = progress();
        this.metrics.progress(now);
        long nanos = System.nanoTime();
        if (nanos - this.lastLogNanos >= this.options.progressInterval().toNanos()) {
            this.lastLogNanos = nanos;
            logger.info("dual-write: backfill{} {}", this.options.dryRun() ? " (dry run)" : "", BackfillFormat.line(now));
        }
    }

}
