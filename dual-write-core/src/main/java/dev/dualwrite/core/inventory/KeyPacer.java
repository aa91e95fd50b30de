package dev.dualwrite.core.inventory;

import java.util.concurrent.TimeUnit;

import org.springframework.dao.DataAccessResourceFailureException;

/**
 * Keeps an inventory under its rate limit: before each page, waits until the page's keys fit
 * the keys-per-second budget (0: no limit). One scanning thread, so no locking.
 */
final class KeyPacer {

    private final double rate;

    private long nextFreeNanos = System.nanoTime();

    KeyPacer(double rate) {
        this.rate = rate;
    }

    void acquire(int keys) {
        if (this.rate <= 0 || keys <= 0) {
            return;
        }
        long now = System.nanoTime();
        long wait = this.nextFreeNanos - now;
        this.nextFreeNanos = Math.max(this.nextFreeNanos, now) + (long) (keys * 1e9 / this.rate);
        if (wait > 0) {
            try {
                // The pause is the throttle itself: there is no condition to wait for.
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new DataAccessResourceFailureException("Interrupted while pacing the inventory scan", ex);
            }
        }
    }

}
