package dev.dualwrite.core.backfill;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.DoubleConsumer;

import dev.dualwrite.core.store.scan.OldStoreScanner;
import dev.dualwrite.core.store.scan.RawEntry;
import dev.dualwrite.core.store.scan.RawSourceBatch;
import dev.dualwrite.core.store.scan.ScanSettings;
import dev.dualwrite.core.store.scan.SourcePosition;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The two stages of one run: a reader (on the caller's thread) that only scans the old store
 * (Redis, or any {@link OldStoreScanner}) and reads raw values, under the pause, stop and rate
 * limit, and {@code parallelism} writers that decode, convert and write batches
 * ({@link BatchCopier}). Between them a queue of at most {@code 2 x parallelism} batches: the
 * reader blocks when the writers fall behind, so memory stays flat whatever the number of
 * keys, and the old store is never read faster than PostgreSQL absorbs.
 */
final class CopyPipeline {

    private final String repository;

    private final RunStatus status;

    private final BackfillControl control;

    private final RunProgress progress;

    private final CheckpointTracker checkpoint;

    private final BatchCopier<?, ?, ?> copier;

    private final Retries retries;

    private final BackfillMetrics metrics;

    private final boolean dryRun;

    private final int writers;

    private final ScanSettings settings;

    private final OldStoreScanner<?, ?> scanner;

    private final StageGuard stage;

    // Receives the scan's fraction done after each page: the run's, or nothing when the scan is
    // one partition of several (its fraction counts the other partitions as done).
    private final DoubleConsumer fraction;

    CopyPipeline(BackfillSource<?, ?, ?> source, BackfillOptions options, RunStatus status, BackfillControl control,
            RunProgress progress, CheckpointTracker checkpoint, BatchCopier<?, ?, ?> copier, Retries retries,
            BackfillMetrics metrics, StageGuard stage, DoubleConsumer fraction) {
        this.repository = source.name();
        this.stage = stage;
        this.fraction = fraction;
        this.scanner = source.scanner();
        this.settings = options.scanSettings();
        this.dryRun = options.dryRun();
        this.writers = options.parallelism();
        this.status = status;
        this.control = control;
        this.progress = progress;
        this.checkpoint = checkpoint;
        this.copier = copier;
        this.retries = retries;
        this.metrics = metrics;
    }

    /**
     * Copy from {@code start} to the end of the scan, or until stopped or failed.
     * @return whether the scan completed and every batch was written
     */
    boolean run(SourcePosition start) throws InterruptedException {
        BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(this.writers * 2);
        ExecutorService pool = Executors.newFixedThreadPool(this.writers,
                new CustomizableThreadFactory("dualwrite-backfill-" + this.repository + "-"));
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < this.writers; i++) {
            running.add(pool.submit(() -> write(queue)));
        }
        boolean scanned = false;
        long sequence = 0;
        try {
            SourcePosition position = start;
            while (!this.status.shouldStop()) {
                this.control.awaitResumed(() -> this.status.state(BackfillState.PAUSED), this.status::hasFailed);
                if (this.status.shouldStop()) {
                    break;
                }
                this.status.state(BackfillState.RUNNING);
                SourcePosition from = position;
                RawSourceBatch batch = this.retries.call("scan Redis",
                        () -> this.scanner.scanPage(from, this.settings));
                // The limit counts rows read: it is Redis (and the network) it protects first.
                long waited = this.control.limiter().acquire(batch.entries().size(), this.status::shouldStop);
                if (waited > 0 && !this.dryRun) {
                    this.metrics.throttled(this.repository, waited);
                }
                this.progress.read.addAndGet(batch.entries().size());
                this.fraction.accept(batch.complete() ? 1.0 : batch.fraction());
                queue.put(new Batch(sequence++, batch.entries(), batch.position()));
                position = batch.position();
                if (batch.complete()) {
                    scanned = true;
                    break;
                }
            }
        }
        finally {
            for (int i = 0; i < this.writers; i++) {
                queue.put(Batch.END);
            }
            for (Future<?> writer : running) {
                try {
                    writer.get();
                }
                catch (ExecutionException ex) {
                    this.status.fail(BackfillErrors.describe(ex.getCause()));
                }
            }
            pool.shutdown();
        }
        return scanned && !this.status.hasFailed() && this.checkpoint.allCompleted(sequence);
    }

    private void write(BlockingQueue<Batch> queue) {
        while (true) {
            Batch batch;
            try {
                batch = queue.take();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
            if (batch == Batch.END) {
                return;
            }
            if (this.status.hasFailed()) {
                // Keep draining so the reader never blocks; the checkpoint stays before this batch.
                continue;
            }
            try {
                String moved = this.retries.call("read the repository's stage", this.stage::beforeBatch);
                if (moved != null) {
                    this.status.fail(moved);
                    continue;
                }
                this.copier.copy(batch.entries());
                this.checkpoint.completed(batch.sequence(), batch.position());
            }
            catch (RuntimeException ex) {
                this.status.fail(BackfillErrors.describe(ex));
            }
        }
    }

    /** One batch on its way from the reader to a writer, numbered in scan order for the checkpoint. */
    private record Batch(long sequence, List<RawEntry> entries, SourcePosition position) {

        // Its position is never checkpointed: a writer stops at it.
        static final Batch END = new Batch(-1, List.of(), () -> "");

    }

}
