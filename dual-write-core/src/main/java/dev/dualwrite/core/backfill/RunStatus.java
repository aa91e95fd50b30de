package dev.dualwrite.core.backfill;

import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;

/**
 * Where one repository's run stands, shared by its reader, its writers and whoever watches
 * it. The first failure wins: later ones are usually consequences of it.
 */
final class RunStatus {

    private final BackfillControl control;

    // A partition's status within its worker's run: failing it stops that partition's pipeline
    // alone; the run's own failure (a fail-fast reject) stops it too.
    private final @Nullable RunStatus run;

    private volatile BackfillState state = BackfillState.PENDING;

    private volatile @Nullable String failure;

    // A partition's: tells whether its claim ended (lost or lapsed, PartitionLease#ended),
    // which stops its copy as a failure would, without being one.
    private volatile @Nullable BooleanSupplier claimEnded;

    RunStatus(BackfillControl control) {
        this(control, null);
    }

    private RunStatus(BackfillControl control, @Nullable RunStatus run) {
        this.control = control;
        this.run = run;
    }

    /** Return the status of one part of this run (a partition): its state is the run's. */
    RunStatus part() {
        return new RunStatus(this.control, this);
    }

    BackfillState state() {
        return (this.run != null) ? this.run.state() : this.state;
    }

    void state(BackfillState state) {
        if (this.run != null) {
            this.run.state(state);
        }
        this.state = state;
    }

    @Nullable String failure() {
        return this.failure;
    }

    synchronized void fail(String message) {
        if (this.failure == null) {
            this.failure = message;
        }
    }

    /** Set how the run ended, with its reason (replacing any failure recorded before). */
    synchronized void end(BackfillState end, @Nullable String message) {
        this.failure = message;
        this.state = end;
    }

    /**
     * Stop this part, as a failure would, once {@code ended} says so, asked each time whether
     * it has failed: a partition's claim lapses without any thread telling it when its renewals
     * stall. Its {@link #failure()} stays the part's own.
     */
    void stopWhen(BooleanSupplier ended) {
        this.claimEnded = ended;
    }

    boolean hasFailed() {
        BooleanSupplier ended = this.claimEnded;
        return this.failure != null || (ended != null && ended.getAsBoolean())
                || (this.run != null && this.run.hasFailed());
    }

    /** Tell whether the run should wind down: it failed, or the operator asked to stop. */
    boolean shouldStop() {
        return hasFailed() || this.control.isStopRequested();
    }

}
