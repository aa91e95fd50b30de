package dev.dualwrite.autoconfigure.backfill;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dualwrite.core.backfill.BackfillMode;
import dev.dualwrite.core.backfill.BackfillOptions;
import dev.dualwrite.core.backfill.BackfillPriority;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the backfill.
 */
@ConfigurationProperties("dual-write.backfill")
public class BackfillProperties {

    /**
     * Repositories to backfill right after startup, then exit with a status code (the one-shot
     * run, e.g. a Kubernetes Job); "all" for every paired repository.
     */
    private List<String> run = new ArrayList<>();

    /**
     * Whether the one-shot run ends the process (with its exit status) once the backfill ends.
     */
    private boolean exitAfterRun = true;

    /**
     * Whether keys set aside make the one-shot run exit with status 2 rather than 0.
     */
    private boolean failOnRejects = true;

    /**
     * Whether the one-shot run shows a progress bar when a terminal is attached.
     */
    private boolean progressBar = true;

    /**
     * Glob (SCAN MATCH syntax) over the id part of the Redis keys to copy; "*" for all.
     */
    private String keyPattern = BackfillOptions.DEFAULTS.keyPattern();

    /**
     * Keys per batch: one Redis read round and one PostgreSQL transaction.
     */
    private int batchSize = BackfillOptions.DEFAULTS.batchSize();

    /**
     * Number of writer threads, each decoding, converting and writing batches on its own
     * PostgreSQL connection.
     */
    private int parallelism = BackfillOptions.DEFAULTS.parallelism();

    /**
     * Rows read per second at most; 0 for no limit. Changeable while running through the
     * endpoint.
     */
    private double rateLimit = BackfillOptions.DEFAULTS.rateLimit();

    /**
     * Whether to read, decode, map and check everything but write nothing.
     */
    private boolean dryRun;

    /**
     * What to do with rows PostgreSQL already holds: COPY_MISSING leaves them alone;
     * CATCH_UP also brings those that differ from Redis up to date and removes those whose
     * key is gone (after PostgreSQL was not kept for a while, as after a rollback to
     * REDIS_PRIMARY).
     */
    private BackfillMode mode = BackfillOptions.DEFAULTS.mode();

    /**
     * Whether to stop at the first key that cannot be copied.
     */
    private boolean failFast;

    /**
     * COUNT hint of each SCAN and SSCAN call (at most the batch size).
     */
    private int scanCount = BackfillOptions.DEFAULTS.scanCount();

    /**
     * Most Redis read commands in flight at once.
     */
    private int pipelineDepth = BackfillOptions.DEFAULTS.pipelineDepth();

    /**
     * Time limit of one Redis command of the backfill.
     */
    private Duration redisTimeout = BackfillOptions.DEFAULTS.redisTimeout();

    /**
     * Tries of a batch that fails because a store fails before the run fails (it then resumes
     * from its checkpoint on the next start).
     */
    private int attempts = BackfillOptions.DEFAULTS.attempts();

    /**
     * Pause before the first retry of a failed batch; doubles with each retry.
     */
    private Duration retryBackoff = BackfillOptions.DEFAULTS.retryBackoff();

    /**
     * How often a progress line is logged while a backfill runs.
     */
    private Duration progressInterval = BackfillOptions.DEFAULTS.progressInterval();

    /**
     * Whether to refuse to backfill a repository that is not at stage DUAL (a dry run is
     * always allowed; a catch-up is refused outside DUAL whatever this says).
     */
    private boolean requireDual = BackfillOptions.DEFAULTS.requireDual();

    /**
     * Whether several processes (instances, or the pods of an indexed Job) share each
     * repository's run: its scan is split into partitions, one per Redis master, that each
     * process claims under a lease, taking over those of a process that died.
     */
    private boolean partitioned = BackfillOptions.DEFAULTS.partitioned();

    /**
     * How long a process's claim on a partition of a partitioned run lasts without being
     * renewed (renewed every third of it): how long a dead process's partition waits before
     * another process takes it over.
     */
    private Duration lease = BackfillOptions.DEFAULTS.lease();

    /**
     * Order of repositories in a job, by repository name.
     */
    private Map<String, Repository> repositories = new LinkedHashMap<>();

    /**
     * Return the options these properties describe.
     * @return the options
     */
    public BackfillOptions toOptions() {
        return BackfillOptions.DEFAULTS.withKeyPattern(this.keyPattern)
            .withBatchSize(this.batchSize)
            .withParallelism(this.parallelism)
            .withRateLimit(this.rateLimit)
            .withDryRun(this.dryRun)
            .withFailFast(this.failFast)
            .withScan(this.scanCount, this.pipelineDepth, this.redisTimeout)
            .withRetries(this.attempts, this.retryBackoff)
            .withProgressInterval(this.progressInterval)
            .withRequireDual(this.requireDual)
            .withMode(this.mode)
            .withPartitioned(this.partitioned)
            .withLease(this.lease);
    }

    public boolean isPartitioned() {
        return this.partitioned;
    }

    public void setPartitioned(boolean partitioned) {
        this.partitioned = partitioned;
    }

    public Duration getLease() {
        return this.lease;
    }

    public void setLease(Duration lease) {
        this.lease = lease;
    }

    public BackfillMode getMode() {
        return this.mode;
    }

    public void setMode(BackfillMode mode) {
        this.mode = mode;
    }

    public List<String> getRun() {
        return this.run;
    }

    public void setRun(List<String> run) {
        this.run = run;
    }

    public boolean isExitAfterRun() {
        return this.exitAfterRun;
    }

    public void setExitAfterRun(boolean exitAfterRun) {
        this.exitAfterRun = exitAfterRun;
    }

    public boolean isFailOnRejects() {
        return this.failOnRejects;
    }

    public void setFailOnRejects(boolean failOnRejects) {
        this.failOnRejects = failOnRejects;
    }

    public boolean isProgressBar() {
        return this.progressBar;
    }

    public void setProgressBar(boolean progressBar) {
        this.progressBar = progressBar;
    }

    public String getKeyPattern() {
        return this.keyPattern;
    }

    public void setKeyPattern(String keyPattern) {
        this.keyPattern = keyPattern;
    }

    public int getBatchSize() {
        return this.batchSize;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public int getParallelism() {
        return this.parallelism;
    }

    public void setParallelism(int parallelism) {
        this.parallelism = parallelism;
    }

    public double getRateLimit() {
        return this.rateLimit;
    }

    public void setRateLimit(double rateLimit) {
        this.rateLimit = rateLimit;
    }

    public boolean isDryRun() {
        return this.dryRun;
    }

    public void setDryRun(boolean dryRun) {
        this.dryRun = dryRun;
    }

    public boolean isFailFast() {
        return this.failFast;
    }

    public void setFailFast(boolean failFast) {
        this.failFast = failFast;
    }

    public int getScanCount() {
        return this.scanCount;
    }

    public void setScanCount(int scanCount) {
        this.scanCount = scanCount;
    }

    public int getPipelineDepth() {
        return this.pipelineDepth;
    }

    public void setPipelineDepth(int pipelineDepth) {
        this.pipelineDepth = pipelineDepth;
    }

    public Duration getRedisTimeout() {
        return this.redisTimeout;
    }

    public void setRedisTimeout(Duration redisTimeout) {
        this.redisTimeout = redisTimeout;
    }

    public int getAttempts() {
        return this.attempts;
    }

    public void setAttempts(int attempts) {
        this.attempts = attempts;
    }

    public Duration getRetryBackoff() {
        return this.retryBackoff;
    }

    public void setRetryBackoff(Duration retryBackoff) {
        this.retryBackoff = retryBackoff;
    }

    public Duration getProgressInterval() {
        return this.progressInterval;
    }

    public void setProgressInterval(Duration progressInterval) {
        this.progressInterval = progressInterval;
    }

    public boolean isRequireDual() {
        return this.requireDual;
    }

    public void setRequireDual(boolean requireDual) {
        this.requireDual = requireDual;
    }

    public Map<String, Repository> getRepositories() {
        return this.repositories;
    }

    public void setRepositories(Map<String, Repository> repositories) {
        this.repositories = repositories;
    }

    /**
     * The place of one repository in a job.
     */
    public static class Repository {

        /**
         * Priority among the repositories ready to run: critical, high, medium or low.
         */
        private BackfillPriority priority = BackfillPriority.MEDIUM;

        /**
         * Repositories that must be backfilled first (for example those its foreign keys
         * point to).
         */
        private List<String> dependsOn = new ArrayList<>();

        public BackfillPriority getPriority() {
            return this.priority;
        }

        public void setPriority(BackfillPriority priority) {
            this.priority = priority;
        }

        public List<String> getDependsOn() {
            return this.dependsOn;
        }

        public void setDependsOn(List<String> dependsOn) {
            this.dependsOn = dependsOn;
        }

    }

}
