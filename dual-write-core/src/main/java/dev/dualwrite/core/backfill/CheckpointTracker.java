package dev.dualwrite.core.backfill;

import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import dev.dualwrite.core.store.scan.SourcePosition;
import org.jspecify.annotations.Nullable;

/**
 * Moves a run's durable checkpoint, and only past committed batches. Writers finish batches
 * out of order; the checkpoint follows the longest prefix of batches (in scan order) that
 * have all committed, so a run killed at any moment resumes before every batch that might be
 * missing. Saved at most every 500 ms: a checkpoint is one UPDATE, and the keys re-read after
 * a kill are absorbed by the insert-if-absent anyway.
 */
final class CheckpointTracker {

    private static final long SAVE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Sink sink;

    private final boolean durable;

    // Batches done ahead of a gap, by sequence; at most about the writers' queue in size.
    private final TreeMap<Long, SourcePosition> completedAhead = new TreeMap<>();

    private long nextToComplete;

    private SourcePosition committed;

    private long lastSaveNanos;

    /**
     * @param durable whether to save at all ({@code false} for a dry run)
     */
    CheckpointTracker(String repository, String runId, CheckpointStore store, RunProgress progress, boolean durable,
            SourcePosition start) {
        // The position's text: for Redis the same cursors text as before the scanner SPI, so
        // checkpoints saved by an older version resume.
        this((state, position, message) -> store.update(repository, runId, state, position.text(), progress.totals(),
                message), durable, start);
    }

    /**
     * Track a position saved elsewhere (a partition of a partitioned run).
     * @param sink saves the committed position
     */
    CheckpointTracker(Sink sink, boolean durable, SourcePosition start) {
        this.sink = sink;
        this.durable = durable;
        this.committed = start;
    }

    /** Record that batch {@code sequence} (whose keys all lie before {@code position}) committed. */
    synchronized void completed(long sequence, SourcePosition position) {
        this.completedAhead.put(sequence, position);
        while (!this.completedAhead.isEmpty() && this.completedAhead.firstKey() == this.nextToComplete) {
            this.committed = this.completedAhead.pollFirstEntry().getValue();
            this.nextToComplete++;
        }
        long now = System.nanoTime();
        if (this.durable && now - this.lastSaveNanos >= SAVE_INTERVAL_NANOS) {
            this.lastSaveNanos = now;
            save(BackfillState.RUNNING, null);
        }
    }

    /** Tell whether the batches numbered below {@code sequences} have all committed. */
    synchronized boolean allCompleted(long sequences) {
        return this.nextToComplete == sequences;
    }

    synchronized void save(BackfillState state, @Nullable String message) {
        if (this.durable) {
            this.sink.save(state, this.committed, message);
        }
    }

    /** Saves a committed position. */
    @FunctionalInterface
    interface Sink {

        void save(BackfillState state, SourcePosition committed, @Nullable String message);

    }

}
