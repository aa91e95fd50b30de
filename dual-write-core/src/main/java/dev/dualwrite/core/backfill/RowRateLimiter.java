package dev.dualwrite.core.backfill;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Limits rows per second, changeable at any time (a change takes effect within 50 ms, also
 * for a caller already waiting). Zero means no limit. Counts the time callers waited.
 */
final class RowRateLimiter {

    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private volatile double rate;

    private long nextFreeNanos = System.nanoTime();

    private long generation;

    RowRateLimiter(double rate) {
        setRate(rate);
    }

    synchronized void setRate(double rate) {
        if (rate < 0) {
            throw new IllegalArgumentException("rate must not be negative");
        }
        this.rate = rate;
        this.generation++;
        this.nextFreeNanos = System.nanoTime();
    }

    double rate() {
        return this.rate;
    }

    /**
     * Wait until {@code rows} more rows fit the rate.
     * @param rows the rows about to be read
     * @param cancelled tells whether to give up waiting (stop requested)
     * @return the nanoseconds waited
     */
    long acquire(int rows, BooleanSupplier cancelled) throws InterruptedException {
        long waited = 0;
        while (true) {
            long wait;
            long generation;
            synchronized (this) {
                if (this.rate <= 0 || rows <= 0) {
                    return waited;
                }
                long now = System.nanoTime();
                wait = this.nextFreeNanos - now;
                generation = this.generation;
                if (wait <= 0) {
                    this.nextFreeNanos = Math.max(this.nextFreeNanos, now) + (long) (rows * 1e9 / this.rate);
                    return waited;
                }
            }
            long slice = Math.min(wait, SLICE_NANOS);
            TimeUnit.NANOSECONDS.sleep(slice);
            waited += slice;
            if (cancelled.getAsBoolean()) {
                return waited;
            }
            synchronized (this) {
                if (generation != this.generation) {
                    // The rate changed while waiting: start over with the new one.
                    continue;
                }
            }
        }
    }

}
