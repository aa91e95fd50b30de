package dev.dualwrite.core.backfill;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * The counters of one repository's run and what is derived from them: recent rate,
 * fraction done, estimated total and ETA. Counters are updated by the reader and the writers
 * at once (atomics); the rate is sampled by the progress ticker alone.
 */
final class RunProgress {

    final AtomicLong read = new AtomicLong();

    final AtomicLong written = new AtomicLong();

    final AtomicLong skipped = new AtomicLong();

    final AtomicLong rejected = new AtomicLong();

    // A catch-up's present rows rewritten with Redis's current value, and rows deleted because
    // their key is gone (both phases).
    final AtomicLong refreshed = new AtomicLong();

    final AtomicLong removed = new AtomicLong();

    private final String repository;

    private final BackfillOptions options;

    // Totals of the runs this one resumes, so that the checkpoint keeps counting across runs.
    private volatile long[] base = new long[6];

    private volatile double fraction;

    private volatile long size = -1;

    private volatile long startNanos;

    private volatile long endNanos;

    private volatile double rate;

    private long rateSampleNanos;

    private long rateSampleRead;

    RunProgress(String repository, BackfillOptions options) {
        this.repository = repository;
        this.options = options;
    }

    void start() {
        this.startNanos = System.nanoTime();
        this.rateSampleNanos = this.startNanos;
    }

    void end() {
        this.endNanos = System.nanoTime();
    }

    void resumeFrom(BackfillCheckpoint previous) {
        this.base = new long[] { previous.rowsRead(), previous.rowsWritten(), previous.rowsSkipped(),
                previous.rowsRejected(), previous.rowsRefreshed(), previous.rowsRemoved() };
    }

    long[] base() {
        return this.base.clone();
    }

    /** Return read, written, skipped, rejected, refreshed and removed, including the runs this one resumes. */
    long[] totals() {
        long[] base = this.base;
        return new long[] { base[0] + this.read.get(), base[1] + this.written.get(), base[2] + this.skipped.get(),
                base[3] + this.rejected.get(), base[4] + this.refreshed.get(), base[5] + this.removed.get() };
    }

    void size(long size) {
        this.size = size;
    }

    void fraction(double fraction) {
        this.fraction = fraction;
    }

    void completed() {
        this.fraction = 1.0;
    }

    /** Sample the read rate (exponentially smoothed); called by the progress ticker only. */
    synchronized void sampleRate() {
        long now = System.nanoTime();
        double seconds = (now - this.rateSampleNanos) / 1e9;
        if (seconds >= 0.5) {
            long readNow = this.read.get();
            double sample = (readNow - this.rateSampleRead) / seconds;
            this.rate = (this.rateSampleRead == 0 && this.rate == 0) ? sample : 0.5 * this.rate + 0.5 * sample;
            this.rateSampleNanos = now;
            this.rateSampleRead = readNow;
        }
    }

    BackfillProgress snapshot(BackfillState state, boolean resumed, double rateLimit, @Nullable String message) {
        long readRows = this.read.get();
        double done = this.fraction;
        boolean allIds = "*".equals(this.options.keyPattern());
        long total = -1;
        if (this.size >= 0 && allIds) {
            total = Math.max(this.size, readRows);
            done = (state == BackfillState.COMPLETED) ? 1.0
                    : Math.min(0.999, Math.max(done, (total > 0) ? (double) readRows / total : 0.0));
        }
        else if (done >= 0.001) {
            total = Math.round(readRows / done);
        }
        Duration elapsed = elapsed();
        Duration eta = null;
        if (state == BackfillState.COMPLETED) {
            eta = Duration.ZERO;
        }
        else if (done > 0.001 && done < 1.0) {
            eta = Duration.ofMillis((long) (elapsed.toMillis() * (1 - done) / done));
        }
        double currentRate = (state == BackfillState.RUNNING) ? this.rate : 0.0;
        if (state.isFinal()) {
            currentRate = readRows / Math.max(elapsed.toNanos() / 1e9, 1e-9);
        }
        return new BackfillProgress(this.repository, state, this.options.dryRun(), this.options.mode(), readRows,
                this.written.get(), this.skipped.get(), this.refreshed.get(), this.removed.get(), this.rejected.get(), currentRate, done, total, eta, elapsed, rateLimit, resumed,
                message);
    }

    Duration elapsed() {
        if (this.startNanos == 0) {
            return Duration.ZERO;
        }
        long end = (this.endNanos != 0) ? this.endNanos : System.nanoTime();
        return Duration.ofNanos(end - this.startNanos);
    }

}
