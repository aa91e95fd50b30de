package dev.dualwrite.core.backfill;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries of a step that fails because a store fails (not because of its data): up to
 * {@link BackfillOptions#attempts()} tries with doubling back-off, given up at once when a
 * stop is requested so that an operator's stop is never held up by a dead store.
 */
final class Retries {

    private static final Logger logger = LoggerFactory.getLogger(Backfill.class);

    private final String repository;

    private final int attempts;

    private final Duration backoff;

    private final BooleanSupplier stopRequested;

    Retries(String repository, BackfillOptions options, BooleanSupplier stopRequested) {
        this.repository = repository;
        this.attempts = options.attempts();
        this.backoff = options.retryBackoff();
        this.stopRequested = stopRequested;
    }

    /**
     * Run an action until it succeeds or the attempts are used up.
     * @param what what the action does, for messages ("scan Redis")
     * @param action the action
     * @return what it returned
     * @throws IllegalStateException when the last attempt failed
     */
    <T extends @Nullable Object> T call(String what, Supplier<T> action) {
        for (int attempt = 1;; attempt++) {
            try {
                return action.get();
            }
            catch (RuntimeException ex) {
                if (!shouldRetry(attempt)) {
                    throw new IllegalStateException("could not " + what + " after " + attempt + " attempt(s): "
                            + BackfillErrors.describe(ex), ex);
                }
                logger.warn("dual-write: backfill of '{}' could not {} (attempt {} of {}), retrying: {}",
                        this.repository, what, attempt, this.attempts, BackfillErrors.describe(ex));
                pause(attempt);
            }
        }
    }

    /** Tell whether a failed attempt may be followed by another. */
    boolean shouldRetry(int attempt) {
        return attempt < this.attempts && !this.stopRequested.getAsBoolean();
    }

    /** Wait before the attempt after {@code attempt}. */
    void pause(int attempt) {
        try {
            Thread.sleep(this.backoff.multipliedBy(1L << Math.min(attempt - 1, 6)).toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

}
