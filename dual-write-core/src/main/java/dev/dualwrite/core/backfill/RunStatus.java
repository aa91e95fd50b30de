package dev.dualwrite.core.backfill;

import org.jspecify.annotations.Nullable;

/**
 * Where one repository's run stands, shared by its reader, its writers and whoever watches
 * it. The first failure wins: later ones are usually consequences of it.
 */
final class RunStatus {

    private final BackfillControl control;

    private volatile BackfillState state = BackfillState.PENDING;

    private volatile @Nullable String failure;

    RunStatus(BackfillControl control) {
        this.control = control;
    }

    BackfillState state() {
        return this.state;
    }

    void state(BackfillState state) {
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

    boolean hasFailed() {
        return this.failure != null;
    }

    /** Tell whether the run should wind down: it failed, or the operator asked to stop. */
    boolean shouldStop() {
        return this.failure != null || this.control.isStopRequested();
    }

}
