package dev.dualwrite.core.backfill;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.dualwrite.core.backfill.PartitionStore.Claim;
import dev.dualwrite.core.backfill.PartitionStore.Joined;
import dev.dualwrite.core.store.scan.SourcePosition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's share of a partitioned run: claims a partition, copies it with the run's
 * pipeline from the partition's position while a {@link PartitionLease} renews the claim,
 * checkpoints it with saves that name the worker (a worker that lost the partition moves
 * nothing and stops copying it), marks it completed, and claims the next. With nothing left to
 * claim it waits while other workers hold partitions, so that it takes over any whose worker
 * dies, and ends when every partition has completed; the worker that sees the last one
 * completed marks the run completed, once. A stop (or failure) releases the partition at its
 * checkpoint, for any worker to claim at once.
 */
final class PartitionedRun {

    private static final Logger logger = LoggerFactory.getLogger(Backfill.class);

    private final String repository;

    private final BackfillOptions options;

    private final RunStatus status;

    private final RunProgress progress;

    private final Worker worker;

    private final Retries retries;

    private final Pipelines pipelines;

    private final List<String> copied = new ArrayList<>();

    private boolean tookOver;

    private boolean completedTheRun;

    PartitionedRun(String repository, BackfillOptions options, RunStatus status, RunProgress progress, Worker worker,
            Retries retries, Pipelines pipelines) {
        this.repository = repository;
        this.options = options;
        this.status = status;
        this.progress = progress;
        this.worker = worker;
        this.retries = retries;
        this.pipelines = pipelines;
    }

    /**
     * Work on the run until every partition completed, or the job stops or fails.
     * @return whether the run completed
     */
    boolean run(Joined run) throws InterruptedException {
        PartitionStore store = this.worker.store();
        while (!this.status.shouldStop()) {
            String replaced = replaced(run);
            if (replaced != null) {
                this.status.fail(replaced);
                return false;
            }
            Claim claim = this.retries.call("claim a partition",
                    () -> store.claim(this.repository, run.runId(), this.worker.id(), this.options.lease()));
            if (claim != null) {
                copy(run, claim);
                continue;
            }
            if (this.retries.call("count the open partitions", () -> store.open(this.repository, run.runId())) == 0) {
                this.completedTheRun = this.retries.call("complete the run",
                        () -> store.completeRun(this.repository, run.runId()));
                // Completed by this worker or another, as the checkpoint says; a run whose
                // checkpoint was forgotten or replaced meanwhile (a new DUAL) did not complete.
                if (!this.completedTheRun && !completedByAnother(run)) {
                    String why = replaced(run);
                    this.status.fail((why != null) ? why : "the partitioned run " + run.runId()
                            + " has no open partition, but its checkpoint does not say it completed");
                    return false;
                }
                return true;
            }
            // Other workers hold the rest: wait, to take over a partition whose lease runs out.
            long waitNanos = Math.min(TimeUnit.SECONDS.toNanos(2), this.options.lease().toNanos() / 4);
            long until = System.nanoTime() + waitNanos;
            while (!this.status.shouldStop() && System.nanoTime() < until) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    private void copy(Joined run, Claim claim) throws InterruptedException {
        PartitionStore store = this.worker.store();
        boolean takeover = claim.previousOwner() != null && claim.claims() > 1;
        this.tookOver |= takeover;
        logger.info("dual-write: backfill of '{}': worker {} claims partition {}{}", this.repository,
                this.worker.id(), claim.partition(), takeover ? " from " + claim.previousOwner()
                        + " and resumes it from its checkpoint" : "");
        SourcePosition start = this.pipelines.parse(claim.position());
        RunStatus part = this.status.part();
        long[] before = this.progress.totals();
        PartitionLease lease = new PartitionLease(store, this.worker.renewals(), this.repository, claim.partition(),
                run.runId(), this.worker.id(), this.options.lease(), part);
        CheckpointTracker checkpoint = new CheckpointTracker((state, position, message) -> {
            if (!store.save(this.repository, claim.partition(), run.runId(), this.worker.id(), BackfillState.RUNNING,
                    position.text(), counters(claim, before))) {
                lease.lose("another worker took it over");
                throw new IllegalStateException("partition " + claim.partition() + " of '" + this.repository
                        + "' is no longer this worker's");
            }
            sum(run);
        }, true, start);
        boolean complete = false;
        try {
            complete = this.pipelines.copy(part, checkpoint, start);
        }
        catch (RuntimeException ex) {
            // A store that kept failing: the partition is released below, at its checkpoint.
            part.fail(BackfillErrors.describe(ex));
        }
        finally {
            lease.close();
        }
        if (lease.isLost()) {
            return;
        }
        BackfillState end = complete ? BackfillState.COMPLETED : BackfillState.PENDING;
        boolean saved = this.retries.call("save partition " + claim.partition(), () -> store.save(this.repository,
                claim.partition(), run.runId(), this.worker.id(), end, checkpoint.committed().text(),
                counters(claim, before)));
        if (!saved) {
            lease.lose("another worker took it over");
            return;
        }
        sum(run);
        if (complete) {
            this.copied.add(claim.partition());
            logger.info("dual-write: backfill of '{}': worker {} completed partition {}", this.repository,
                    this.worker.id(), claim.partition());
        }
        else if (part.failure() != null) {
            // Not a lost lease: the worker's own failure (a store kept failing), which ends its run.
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

    // The run's totals on its checkpoint, for the endpoint: best effort, never a reason to stop
    // (the run's completion sums them again).
    private void sum(Joined run) {
        try {
            this.worker.store().sum(this.repository, run.runId());
        }
        catch (RuntimeException ex) {
            logger.debug("dual-write: backfill of '{}': the run's totals were not updated", this.repository, ex);
        }
    }

    private boolean completedByAnother(Joined run) {
        Optional<BackfillCheckpoint> checkpoint = this.retries.call("read the run's checkpoint",
                () -> this.worker.checkpoints().find(this.repository));
        return checkpoint.isPresent() && checkpoint.get().runId().equals(run.runId())
                && checkpoint.get().state() == BackfillState.COMPLETED;
    }

    private @Nullable String replaced(Joined run) {
        Optional<BackfillCheckpoint> checkpoint = this.retries.call("read the run's checkpoint",
                () -> this.worker.checkpoints().find(this.repository));
        if (checkpoint.isEmpty() || !checkpoint.get().runId().equals(run.runId())) {
            return "the partitioned run " + run.runId() + " was replaced (its checkpoint was forgotten, or another "
                    + "run started); start the backfill again to join the current one";
        }
        return null;
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

    /**
     * Who works, and with what: the worker's id, the partitions' table, and the thread that
     * renews its leases.
     */
    record Worker(String id, PartitionStore store, CheckpointStore checkpoints,
            @Nullable ScheduledExecutorService renewals) {
    }

    /** Parses positions and runs the copy pipeline of one partition. */
    interface Pipelines {

        SourcePosition parse(String position);

        boolean copy(RunStatus status, CheckpointTracker checkpoint, SourcePosition start) throws InterruptedException;

    }

}
