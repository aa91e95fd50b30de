package dev.dualwrite.core.backfill;

import java.util.function.BooleanSupplier;

/**
 * The operator's hold on a running job: pause, resume, stop and the rate limit, shared by the
 * runs of the job's repositories.
 */
final class BackfillControl {

    private final RowRateLimiter limiter;

    private volatile boolean paused;

    private volatile boolean stopRequested;

    BackfillControl(double rateLimit) {
        this.limiter = new RowRateLimiter(rateLimit);
    }

    RowRateLimiter limiter() {
        return this.limiter;
    }

    synchronized void pause() {
        this.paused = true;
    }

    synchronized void resume() {
        this.paused = false;
        notifyAll();
    }

    synchronized void stop() {
        this.stopRequested = true;
        notifyAll();
    }

    boolean isPaused() {
        return this.paused;
    }

    boolean isStopRequested() {
        return this.stopRequested;
    }

    /**
     * Wait while paused.
     * @param onPause called once when the wait starts
     * @param cancelled tells whether to stop waiting for another reason
     */
    synchronized void awaitResumed(Runnable onPause, BooleanSupplier cancelled) throws InterruptedException {
        if (this.paused && !this.stopRequested) {
            onPause.run();
        }
        while (this.paused && !this.stopRequested && !cancelled.getAsBoolean()) {
            wait(100);
        }
    }

}
