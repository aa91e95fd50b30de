package dev.dualwrite.core.backfill;

import java.util.function.Function;

import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;

/**
 * Whether one run may write, checked when it starts and, for a catch-up, again before each
 * batch and each page of its sweep. An insert-only copy never overwrites a row, so its start
 * check is enough and {@link BackfillOptions#requireDual()} may waive it. A catch-up overwrites
 * and deletes present rows with Redis's values: outside {@code DUAL}, or while an instance
 * still applies another stage, that rolls PostgreSQL back, so it is always checked, and a move
 * of the stage during the run stops it before its next batch. A batch under way when the stage
 * moves still commits: the check is per batch, not per row.
 */
final class StageGuard {

    private final String repository;

    private final BackfillOptions options;

    private final Function<String, WriteStrategy> strategies;

    private final BackfillListener listener;

    // The shared stage's version the catch-up started under (-1 before it started).
    private volatile long since = -1;

    StageGuard(String repository, BackfillOptions options, Function<String, WriteStrategy> strategies,
            BackfillListener listener) {
        this.repository = repository;
        this.options = options;
        this.strategies = strategies;
        this.listener = listener;
    }

    /** Return why the run must not start, or {@code null}. */
    @Nullable String atStart() {
        if (this.options.dryRun() || (!this.options.requireDual() && !this.options.catchUp())) {
            return null;
        }
        String local = localStage();
        if (local != null || !this.options.catchUp()) {
            return local;
        }
        try {
            this.since = this.listener.requireCatchUp(this.repository, -1);
            return null;
        }
        catch (IllegalStateException ex) {
            return String.valueOf(ex.getMessage());
        }
        catch (RuntimeException ex) {
            // Not known to be allowed is refused: the run may be started again.
            return "could not check the stage of '" + this.repository + "' before a catch-up: "
                    + BackfillErrors.describe(ex);
        }
    }

    /**
     * Return why a catch-up must stop before its next batch or page, or {@code null}.
     * @throws RuntimeException when the stage cannot be read (a store failing)
     */
    @Nullable String beforeBatch() {
        if (this.options.dryRun() || !this.options.catchUp()) {
            return null;
        }
        String local = localStage();
        if (local != null) {
            return "the catch-up stopped: " + local;
        }
        try {
            this.listener.requireCatchUp(this.repository, this.since);
            return null;
        }
        catch (IllegalStateException ex) {
            // A refusal; any other exception (the stage table unreachable) is the caller's to retry.
            return String.valueOf(ex.getMessage());
        }
    }

    private @Nullable String localStage() {
        WriteStrategy stage = this.strategies.apply(this.repository);
        return (stage != WriteStrategy.DUAL) ? BackfillStageException.reason(this.repository, stage, this.options)
                : null;
    }

}
