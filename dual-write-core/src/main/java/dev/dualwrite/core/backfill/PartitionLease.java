package dev.dualwrite.core.backfill;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's claim on one partition, renewed every third of the lease while the worker copies
 * it. Two things end the copy before its next batch:
 * <ul>
 * <li>the claim is <em>lost</em> when a renewal or a save finds the partition no longer the
 * worker's (another worker took it over, or the run was forgotten): its position is never
 * moved again by this worker (every save names the owner);</li>
 * <li>the claim <em>lapses</em> when no renewal has succeeded for five sixths of the lease,
 * whether they failed (PostgreSQL unreachable) or never came back (a renewal that hangs;
 * checked by the copy itself, see {@link #ended()}): another worker may claim the partition
 * soon. The worker then releases it at its checkpoint, with a save that names the owner, which
 * finds out whether it was taken over meanwhile.</li>
 * </ul>
 * A batch being written when the claim ends still commits; that is harmless to the data
 * (batches insert only absent rows, under the keys' locks), see docs/backfill.md.
 */
final class PartitionLease implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(Backfill.class);

    /** Why a renewal or a save that changed nothing lost the partition. */
    static final String NOT_THE_OWNER = "another worker took it over, or the run was forgotten";

    private final PartitionStore store;

    private final String repository;

    private final String partition;

    private final String runId;

    private final String owner;

    private final Duration lease;

    private final @Nullable ScheduledFuture<?> renewal;

    // When the last successful renewal (or the claim) was sent: PostgreSQL's lease runs from
    // the statement's start, so the reply's arrival would overstate it.
    private volatile long renewedNanos;

    private volatile boolean lost;

    private volatile boolean lapsed;

    // Set before the partition's final save: a renewal still in flight that then finds the
    // partition no longer RUNNING found that save, not another worker, and is not a loss (it
    // would be a false warning, and a completed partition left out of the worker's report).
    private volatile boolean closed;

    /**
     * @param claimedNanos when the claim was sent ({@link System#nanoTime()})
     */
    PartitionLease(PartitionStore store, ScheduledExecutorService renewals, String repository,
            String partition, String runId, String owner, Duration lease, long claimedNanos) {
        this.store = store;
        this.repository = repository;
        this.partition = partition;
        this.runId = runId;
        this.owner = owner;
        this.lease = lease;
        this.renewedNanos = claimedNanos;
        ScheduledFuture<?> renewal = null;
        long every = Math.max(1, lease.toMillis() / 3);
        try {
            renewal = renewals.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
        }
        catch (RejectedExecutionException ex) {
            // The renewals were shut down (the worker is halting): the claim lapses.
        }
        this.renewal = renewal;
    }

    private void renew() {
        if (this.lost || this.lapsed || this.closed) {
            return;
        }
        long sent = System.nanoTime();
        try {
            if (this.store.renew(this.repository, this.partition, this.runId, this.owner, this.lease)) {
                this.renewedNanos = sent;
            }
            else if (!this.closed) {
                lose(NOT_THE_OWNER);
            }
        }
        catch (RuntimeException ex) {
            if (this.closed) {
                return;
            }
            if (overdue()) {
                lapse("its lease could not be renewed in time (" + BackfillErrors.describe(ex) + ")");
            }
            else {
                logger.debug("dual-write: backfill of '{}' could not renew its lease on partition {}; retrying",
                        this.repository, this.partition, ex);
            }
        }
    }

    /**
     * Tell whether the copy must stop: the claim is lost, or has lapsed, which this checks
     * first. Asked by the copy before each batch, so that a renewal that hangs (on a
     * connection that never answers) cannot leave the worker copying a partition another
     * worker may have claimed.
     */
    boolean ended() {
        if (!this.lost && !this.lapsed && !this.closed && overdue()) {
            lapse("no renewal of its lease succeeded for five sixths of it");
        }
        return this.lost || this.lapsed;
    }

    // No renewal succeeded for five sixths of the lease: another worker may claim it soon.
    private boolean overdue() {
        return System.nanoTime() - this.renewedNanos >= this.lease.toNanos() * 5 / 6;
    }

    // Flags only, never the partition's failure: a renewal that ends after the final save must
    // not turn a stop into the run's failure (the copy asks ended() instead).
    private synchronized void lapse(String why) {
        if (!this.lapsed) {
            this.lapsed = true;
            logger.warn("dual-write: backfill of '{}': worker {} stops copying partition {}: {}; it releases it at "
                    + "its checkpoint unless another worker took it over meanwhile", this.repository, this.owner,
                    this.partition, why);
        }
    }

    /** Record that the claim is lost: the copy stops before its next batch. */
    synchronized void lose(String why) {
        if (!this.lost) {
            this.lost = true;
            logger.warn("dual-write: backfill of '{}': worker {} lost partition {}: {}; it stops copying it and moves "
                    + "its position no more", this.repository, this.owner, this.partition, why);
        }
    }

    /** Tell whether the partition is no longer this worker's: nothing of it may be saved. */
    boolean isLost() {
        return this.lost;
    }

    /**
     * Stop renewing, before the partition's final save; a renewal still in flight changes
     * nothing after it (see {@code closed}).
     */
    @Override
    public void close() {
        this.closed = true;
        if (this.renewal != null) {
            this.renewal.cancel(false);
        }
    }

}
