package dev.dualwrite.core.backfill;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import java.util.function.Function;

import dev.dualwrite.core.backfill.PartitionStore.Claim;
import dev.dualwrite.core.backfill.PartitionStore.Joined;
import dev.dualwrite.core.backfill.PartitionStore.RunState;
import dev.dualwrite.core.store.scan.SourcePosition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's share of a partitioned run: claims a partition, copies it with the run's
 * pipeline from the partition's position while a {@link PartitionLease} renews the claim,
 * checkpoints it with saves that name the worker (a worker that lost the partition moves
 * nothing and stops copying it), marks it completed, and claims the next. With nothing left to
 * claim it waits while other workers hold partitions, so that it takes over any whose worker
 * dies, and ends when every partition has completed; the worker that sees the last one
 * completed marks the run completed, once. A stop, a failure or a lapsed claim (no renewal in
 * time) releases the partition at its checkpoint, for any worker to claim at once; a release
 * that cannot be saved leaves it claimed until its lease runs out.
 */
final class PartitionedRun {

    private static final Logger logger = LoggerFactory.getLogger(Backfill.class);

    private final String repository;

    private final BackfillOptions options;

    private final RunStatus status;

    private final BackfillControl control;

    private final RunProgress progress;

    private final Worker worker;

    private final Retries retries;

    private final Function<String, SourcePosition> positions;

    private final Pipelines pipelines;

    private final List<String> copied = new ArrayList<>();

    private boolean tookOver;

    private boolean completedTheRun;

    /**
     * @param positions parses a partition's position
     * @param pipelines makes the reader and writers that copy a partition from a position
     */
    PartitionedRun(String repository, BackfillOptions options, RunStatus status, BackfillControl control,
            RunProgress progress, Worker worker, Retries retries, Function<String, SourcePosition> positions,
            Pipelines pipelines) {
        this.repository = repository;
        this.options = options;
        this.status = status;
        this.control = control;
        this.progress = progress;
        this.worker = worker;
        this.retries = retries;
        this.positions = positions;
        this.pipelines = pipelines;
    }

    /**
     * Work on the run until every partition completed, or the job stops or fails.
     * @return whether the run completed
     */
    boolean run(Joined run) throws InterruptedException {
        PartitionStore store = this.worker.store();
        while (!this.status.shouldStop()) {
            // A paused worker claims nothing more: the pause holds the partition it copies, and
            // between partitions it holds the worker here.
            this.control.awaitResumed(() -> this.status.state(BackfillState.PAUSED), this.status::hasFailed);
            if (this.status.shouldStop()) {
                return false;
            }
            this.status.state(BackfillState.RUNNING);
            RunState now = this.retries.call("read the run's state", () -> store.state(this.repository, run.runId()));
            if (!now.current()) {
                this.status.fail("the partitioned run " + run.runId() + " was replaced (its checkpoint was forgotten, "
                        + "or another run started); start the backfill again to join the current one");
                return false;
            }
            if (now.completed()) {
                return true;
            }
            this.progress.fraction(now.fraction());
            // The lease runs from the claim's statement, on PostgreSQL's clock: timed from before
            // the attempt that claimed.
            long[] claimedNanos = new long[1];
            Claim claim = this.retries.call("claim a partition", () -> {
                claimedNanos[0] = System.nanoTime();
                return store.claim(this.repository, run.runId(), this.worker.id(), this.options.lease());
            });
            if (claim != null) {
                copy(run, claim, claimedNanos[0], now.partitions() == 1);
            }
            else if (now.open() == 0) {
                // Marked by this worker, or by another at once: the next state says which.
                long[] totals = this.retries.call("complete the run",
                        () -> store.completeRun(this.repository, run.runId()));
                if (totals != null) {
                    this.completedTheRun = true;
                    logger.info("dual-write: partitioned backfill run {} of '{}' completed: {} read, {} written, {} "
                            + "skipped, {} rejected in all", run.runId(), this.repository, totals[0], totals[1],
                            totals[2], totals[3]);
                    return true;
                }
            }
            else {
                // Other workers hold the rest: wait, to take over a partition whose lease runs out.
                long waitNanos = Math.min(TimeUnit.SECONDS.toNanos(2), this.options.lease().toNanos() / 4);
                long until = System.nanoTime() + waitNanos;
                while (!this.status.shouldStop() && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
            }
        }
        return false;
    }

    // The only partition of a run is the run's whole scan, whose fraction is the run's; with
    // several, the run's fraction is the share of partitions completed, set at each turn.
    private void copy(Joined run, Claim claim, long claimedNanos, boolean only) throws InterruptedException {
        PartitionStore store = this.worker.store();
        // A partition this worker released itself (a lapsed claim, a failed save) is no takeover.
        boolean takeover = claim.previousOwner() != null && !claim.previousOwner().equals(this.worker.id());
        this.tookOver |= takeover;
        logger.info("dual-write: backfill of '{}': worker {} claims partition {}{}", this.repository,
                this.worker.id(), claim.partition(), takeover ? " from " + claim.previousOwner()
                        + " and resumes it from its checkpoint" : "");
        SourcePosition start = this.positions.apply(claim.position());
        RunStatus part = this.status.part();
        long[] before = this.progress.totals();
        PartitionLease lease = new PartitionLease(store, this.worker.renewals(), this.repository, claim.partition(),
                run.runId(), this.worker.id(), this.options.lease(), claimedNanos);
        part.stopWhen(lease::ended);
        // Every save names the owner: once another worker took the partition over, it moves
        // nothing, and the lease's loss stops the copy before its next batch.
        CheckpointTracker checkpoint = new CheckpointTracker((state, position, message) -> {
            if (!store.save(this.repository, claim.partition(), run.runId(), this.worker.id(), state,
                    position.text(), counters(claim, before))) {
                lease.lose(PartitionLease.NOT_THE_OWNER);
            }
        }, true, start);
        boolean complete = false;
        try {
            complete = this.pipelines.of(part, checkpoint, only ? this.progress::fraction : (fraction) -> {
            }).run(start);
        }
        catch (RuntimeException ex) {
            // A store that kept failing: the partition is released below, at its checkpoint.
            part.fail(BackfillErrors.describe(ex));
        }
        finally {
            lease.close();
        }
        // A lost partition is another worker's (or gone): nothing of it is saved. Otherwise the
        // partition ends here: completed, or released at its checkpoint (a stop, a failure, a
        // lapsed claim), with a save that names the owner and so finds out whether it was taken
        // over meanwhile (the sink then records the loss).
        boolean saved = false;
        if (!lease.isLost()) {
            BackfillState end = complete ? BackfillState.COMPLETED : BackfillState.PENDING;
            try {
                this.retries.call("save partition " + claim.partition(), () -> {
                    checkpoint.save(end, null);
                    return null;
                });
                saved = true;
            }
            catch (RuntimeException ex) {
                // PostgreSQL kept failing (or the job is stopping): the partition stays claimed
                // until its lease runs out, then any worker resumes it from its last checkpoint.
                // What ends this worker's run, if anything, is decided below or by its next step.
                logger.warn("dual-write: backfill of '{}': worker {} could not save partition {} as {} ({}); its "
                        + "lease runs out within {}, then any worker resumes it from its last checkpoint",
                        this.repository, this.worker.id(), claim.partition(), end, BackfillErrors.describe(ex),
                        this.options.lease());
            }
        }
        if (complete && saved && !lease.isLost()) {
            this.copied.add(claim.partition());
            logger.info("dual-write: backfill of '{}': worker {} completed partition {}", this.repository,
                    this.worker.id(), claim.partition());
        }
        else if (part.failure() != null) {
            // The worker's own failure (a store kept failing; an ended claim is none), which ends its run.
            this.status.fail("partition " + claim.partition() + ": " + part.failure());
        }
    }

    // The partition's counters: what it held when claimed, plus what this worker did since.
    private long[] counters(Claim claim, long[] before) {
        long[] now = this.progress.totals();
        long[] counters = claim.counters().clone();
        for (int i = 0; i < counters.length; i++) {
            counters[i] += now[i] - before[i];
        }
        return counters;
    }

    /** Return the partitions this worker completed, in order. */
    List<String> copied() {
        return List.copyOf(this.copied);
    }

    /** Tell whether this worker resumed a partition another worker had held. */
    boolean tookOver() {
        return this.tookOver;
    }

    /** Tell whether this worker marked the run completed. */
    boolean completedTheRun() {
        return this.completedTheRun;
    }

    /** Makes the reader and writers that copy a partition from a position. */
    @FunctionalInterface
    interface Pipelines {

        /**
         * @param status the partition's status
         * @param checkpoint saves the partition's position
         * @param fraction receives the scan's fraction done after each page
         */
        CopyPipeline of(RunStatus status, CheckpointTracker checkpoint, DoubleConsumer fraction);

    }

    /**
     * Who works, and with what: the worker's id, the partitions' table, and the thread that
     * renews its leases.
     */
    record Worker(String id, PartitionStore store, ScheduledExecutorService renewals) {
    }

}
