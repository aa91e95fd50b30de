package dev.dualwrite.core.backfill;

import java.time.Duration;

import dev.dualwrite.core.store.scan.ScanSettings;

import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * How one backfill job runs. Immutable; change a copy with the {@code with...} methods.
 * @param keyPattern glob ({@code SCAN MATCH} syntax) over the id part of the Redis keys; {@code "*"} for all
 * @param batchSize keys per batch: one Redis read round and one PostgreSQL transaction
 * @param parallelism writer threads, each with its own PostgreSQL connection, decoding,
 * converting and writing batches at once
 * @param rateLimit rows read per second at most; 0 for no limit (changeable while running)
 * @param dryRun whether to read, decode, map and convert everything but write nothing
 * @param failFast whether to stop at the first reject
 * @param restart whether to ignore the checkpoint and scan from the start
 * @param scanCount {@code COUNT} hint of each {@code SCAN}/{@code SSCAN} (a Redis hint: other
 * old stores may ignore it, see {@link ScanSettings})
 * @param pipelineDepth read commands in flight at once
 * @param redisTimeout time limit of one Redis command (of one command to the old store,
 * whatever it is)
 * @param attempts tries of a batch that fails for a reason other than its data (a store
 * down, a dropped connection) before the run fails
 * @param retryBackoff pause before the first retry; doubles each time
 * @param progressInterval how often a progress line is logged
 * @param requireDual whether to refuse a (non dry) run of a repository that is not at stage
 * {@code DUAL}, where live writes keep PostgreSQL up to date while the backfill copies (a
 * catch-up is refused outside {@code DUAL} whatever this says: it overwrites rows)
 * @param mode what to do with rows PostgreSQL already holds: leave them
 * ({@link BackfillMode#COPY_MISSING}) or bring those that differ up to date and remove those
 * whose key is gone ({@link BackfillMode#CATCH_UP})
 * @param partitioned whether several workers (processes, or {@link Backfill} instances) share
 * each repository's run: the scan is split into partitions (one per Redis master) that workers
 * claim under a lease, instead of one process holding the run lock (see {@link #withPartitioned})
 * @param lease how long a worker's claim on a partition lasts without being renewed; a worker
 * renews it every third of it, and a partition whose lease ran out is taken over by another
 * worker (only for partitioned runs)
 */
public record BackfillOptions(String keyPattern, int batchSize, int parallelism, double rateLimit, boolean dryRun,
        boolean failFast, boolean restart, int scanCount, int pipelineDepth, Duration redisTimeout, int attempts,
        Duration retryBackoff, Duration progressInterval, boolean requireDual, BackfillMode mode, boolean partitioned,
        Duration lease) {

    public static final BackfillOptions DEFAULTS = new BackfillOptions("*", 500, defaultParallelism(), 0, false, false,
            false, 500, 64, Duration.ofSeconds(10), 5, Duration.ofMillis(500), Duration.ofSeconds(10), true,
            BackfillMode.COPY_MISSING, false, Duration.ofSeconds(30));

    public BackfillOptions {
        Assert.isTrue(StringUtils.hasLength(keyPattern), "keyPattern must not be empty");
        Assert.isTrue(batchSize > 0 && batchSize <= 5000, "batchSize must be between 1 and 5000");
        Assert.isTrue(parallelism > 0 && parallelism <= 64, "parallelism must be between 1 and 64");
        Assert.isTrue(rateLimit >= 0, "rateLimit must not be negative");
        Assert.isTrue(attempts > 0, "attempts must be positive");
        Assert.notNull(redisTimeout, "redisTimeout must not be null");
        Assert.notNull(retryBackoff, "retryBackoff must not be null");
        Assert.notNull(progressInterval, "progressInterval must not be null");
        Assert.notNull(mode, "mode must not be null");
        Assert.isTrue(lease != null && lease.compareTo(Duration.ofSeconds(1)) >= 0, "lease must be at least 1s");
    }

    /**
     * Create options of a run that is not partitioned (one process runs a repository's
     * backfill, holding its run lock).
     */
    public BackfillOptions(String keyPattern, int batchSize, int parallelism, double rateLimit, boolean dryRun,
            boolean failFast, boolean restart, int scanCount, int pipelineDepth, Duration redisTimeout, int attempts,
            Duration retryBackoff, Duration progressInterval, boolean requireDual, BackfillMode mode) {
        this(keyPattern, batchSize, parallelism, rateLimit, dryRun, failFast, restart, scanCount, pipelineDepth,
                redisTimeout, attempts, retryBackoff, progressInterval, requireDual, mode, false,
                Duration.ofSeconds(30));
    }

    // Writers decode as well as write, so one per core keeps every core busy; at most 4, so
    // that a default connection pool (10) keeps room for live traffic and the run lock.
    private static int defaultParallelism() {
        return Math.min(4, Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    ScanSettings scanSettings() {
        return new ScanSettings(this.keyPattern, this.batchSize, this.scanCount, this.pipelineDepth, this.redisTimeout);
    }

    public BackfillOptions withKeyPattern(String keyPattern) {
        return new BackfillOptions(keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode, this.partitioned, this.lease);
    }

    public BackfillOptions withBatchSize(int batchSize) {
        return new BackfillOptions(this.keyPattern, batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode, this.partitioned, this.lease);
    }

    public BackfillOptions withParallelism(int parallelism) {
        return new BackfillOptions(this.keyPattern, this.batchSize, parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode, this.partitioned, this.lease);
    }

    public BackfillOptions withRateLimit(double rateLimit) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode, this.partitioned, this.lease);
    }

    public BackfillOptions withDryRun(boolean dryRun) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode, this.partitioned, this.lease);
    }

    public BackfillOptions withFailFast(boolean failFast) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode, this.partitioned, this.lease);
    }

    public BackfillOptions withRestart(boolean restart) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode, this.partitioned, this.lease);
    }

    public BackfillOptions withScan(int scanCount, int pipelineDepth, Duration redisTimeout) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, scanCount, pipelineDepth, redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode, this.partitioned, this.lease);
    }

    public BackfillOptions withRetries(int attempts, Duration retryBackoff) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, attempts,
                retryBackoff, this.progressInterval, this.requireDual, this.mode, this.partitioned, this.lease);
    }

    public BackfillOptions withProgressInterval(Duration progressInterval) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, progressInterval, this.requireDual, this.mode, this.partitioned, this.lease);
    }

    public BackfillOptions withRequireDual(boolean requireDual) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, requireDual, this.mode, this.partitioned, this.lease);
    }

    public BackfillOptions withMode(BackfillMode mode) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, mode, this.partitioned, this.lease);
    }

    /**
     * Return these options with partitioned runs on or off. A partitioned run of a repository
     * is shared by every worker that starts it with the same options: its scan is split into
     * partitions (one per Redis master; one for a single Redis or another old store), each
     * worker claims a pending partition, copies it while renewing its lease, then claims the
     * next, and a partition whose worker stopped renewing is taken over from its checkpoint.
     * Each key is copied by one worker, save the keys after a dead worker's last checkpoint,
     * which are copied again and absorbed. A worker ends its run when every partition has
     * completed; the one that sees the last one completed marks the run completed, once. Not with
     * {@link BackfillMode#CATCH_UP} nor {@link #restart()}; a dry run is never partitioned.
     * @param partitioned whether runs are partitioned
     * @return the new options
     */
    public BackfillOptions withPartitioned(boolean partitioned) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode, partitioned, this.lease);
    }

    /**
     * Return these options with another lease of a partitioned run's partitions.
     * @param lease how long a claim lasts unrenewed (at least 1s): the time a dead worker's
     * partition waits before another worker takes it over
     * @return the new options
     */
    public BackfillOptions withLease(Duration lease) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode, this.partitioned, lease);
    }

    /** Tell whether this run is shared by partitions (never a dry run). */
    boolean sharedByPartitions() {
        return this.partitioned && !this.dryRun;
    }

    /** Tell whether present rows are brought up to date too ({@link BackfillMode#CATCH_UP}). */
    boolean catchUp() {
        return this.mode == BackfillMode.CATCH_UP;
    }

}
