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
 * it. The claim is lost when a renewal finds another owner, or when no renewal has succeeded
 * for five sixths of the lease, whether they failed (PostgreSQL unreachable) or never came
 * back (a renewal that hangs; checked by the copy itself, see {@link #lapsed()}): another
 * worker may claim it soon. The partition's copy then stops before its next batch, and its
 * position is never moved again by this worker (every save names the owner). Batches already
 * written when the claim is lost still commit; that is harmless to the data (batches insert
 * only absent rows, under the keys' locks), see docs/backfill.md.
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

    private final RunStatus status;

    private final @Nullable ScheduledFuture<?> renewal;

    private volatile long renewedNanos = System.nanoTime();

    private volatile boolean lost;

    // Set before the partition's final save: a renewal still in flight that then finds the
    // partition no longer RUNNING found that save, not another worker, and is not a loss (it
    // would be a false warning, and a completed partition left out of the worker's report).
    private volatile boolean closed;

    PartitionLease(PartitionStore store, ScheduledExecutorService renewals, String repository,
            String partition, String runId, String owner, Duration lease, RunStatus status) {
        this.store = store;
        this.repository = repository;
        this.partition = partition;
        this.runId = runId;
        this.owner = owner;
        this.lease = lease;
        this.status = status;
        ScheduledFuture<?> renewal = null;
        long every = Math.max(1, lease.toMillis() / 3);
        try {
            renewal = renewals.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
        }
        catch (RejectedExecutionException ex) {
            // The renewals were shut down (the worker is halting): the lease runs out.
        }
        this.renewal = renewal;
    }

    private void renew() {
        if (this.lost || this.closed) {
            return;
        }
        try {
            if (this.store.renew(this.repository, this.partition, this.runId, this.owner, this.lease)) {
                this.renewedNanos = System.nanoTime();
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
                lose("its lease could not be renewed in time (" + BackfillErrors.describe(ex) + ")");
            }
            else {
                logger.debug("dual-write: backfill of '{}' could not renew its lease on partition {}; retrying",
                        this.repository, this.partition, ex);
            }
        }
    }

    /**
     * Tell whether the claim is lost, losing it first when no renewal has succeeded for five
     * sixths of the lease: asked by the copy before each batch, so that a renewal that hangs
     * (on a connection that never answers) cannot leave the worker copying a partition another
     * worker may have claimed.
     */
    boolean lapsed() {
        if (!this.lost && !this.closed && overdue()) {
            lose("no renewal of its lease succeeded for five sixths of it");
        }
        return this.lost;
    }

    // No renewal succeeded for five sixths of the lease: another worker may claim it soon.
    private boolean overdue() {
        return System.nanoTime() - this.renewedNanos >= this.lease.toNanos() * 5 / 6;
    }

    /** Record that the claim is lost and stop the partition's copy before its next batch. */
    void lose(String why) {
        if (!this.lost) {
            this.lost = true;
            logger.warn("dual-write: backfill of '{}': worker {} lost partition {}: {}; it stops copying it and moves "
                    + "its position no more", this.repository, this.owner, this.partition, why);
        }
        this.status.fail("lost partition " + this.partition + ": " + why);
    }

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
