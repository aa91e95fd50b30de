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
 */
public record BackfillOptions(String keyPattern, int batchSize, int parallelism, double rateLimit, boolean dryRun,
        boolean failFast, boolean restart, int scanCount, int pipelineDepth, Duration redisTimeout, int attempts,
        Duration retryBackoff, Duration progressInterval, boolean requireDual, BackfillMode mode) {

    public static final BackfillOptions DEFAULTS = new BackfillOptions("*", 500, defaultParallelism(), 0, false, false,
            false, 500, 64, Duration.ofSeconds(10), 5, Duration.ofMillis(500), Duration.ofSeconds(10), true,
            BackfillMode.COPY_MISSING);

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
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode);
    }

    public BackfillOptions withBatchSize(int batchSize) {
        return new BackfillOptions(this.keyPattern, batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode);
    }

    public BackfillOptions withParallelism(int parallelism) {
        return new BackfillOptions(this.keyPattern, this.batchSize, parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode);
    }

    public BackfillOptions withRateLimit(double rateLimit) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode);
    }

    public BackfillOptions withDryRun(boolean dryRun) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode);
    }

    public BackfillOptions withFailFast(boolean failFast) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode);
    }

    public BackfillOptions withRestart(boolean restart) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode);
    }

    public BackfillOptions withScan(int scanCount, int pipelineDepth, Duration redisTimeout) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, scanCount, pipelineDepth, redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, this.mode);
    }

    public BackfillOptions withRetries(int attempts, Duration retryBackoff) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, attempts,
                retryBackoff, this.progressInterval, this.requireDual, this.mode);
    }

    public BackfillOptions withProgressInterval(Duration progressInterval) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, progressInterval, this.requireDual, this.mode);
    }

    public BackfillOptions withRequireDual(boolean requireDual) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, requireDual, this.mode);
    }

    public BackfillOptions withMode(BackfillMode mode) {
        return new BackfillOptions(this.keyPattern, this.batchSize, this.parallelism, this.rateLimit, this.dryRun,
                this.failFast, this.restart, this.scanCount, this.pipelineDepth, this.redisTimeout, this.attempts,
                this.retryBackoff, this.progressInterval, this.requireDual, mode);
    }

    /** Tell whether present rows are brought up to date too ({@link BackfillMode#CATCH_UP}). */
    boolean catchUp() {
        return this.mode == BackfillMode.CATCH_UP;
    }

}
