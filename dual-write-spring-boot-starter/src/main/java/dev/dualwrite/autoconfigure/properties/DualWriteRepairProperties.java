package dev.dualwrite.autoconfigure.properties;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the reconciler that drains repair records.
 */
@ConfigurationProperties("dual-write.repair")
public class DualWriteRepairProperties {

    /**
     * Whether to drain repair records in the background.
     */
    private boolean enabled = true;

    /**
     * Pause between two drain rounds.
     */
    private Duration interval = Duration.ofSeconds(5);

    /**
     * Number of records claimed at a time, per repository and repair log.
     */
    private int batchSize = 100;

    /**
     * How long a claim holds when its instance stops before finishing it.
     */
    private Duration lease = Duration.ofSeconds(60);

    /**
     * Age below which records are left to the live write path, which usually settles them a
     * moment later.
     */
    private Duration minAge = Duration.ofSeconds(5);

    /**
     * Wait before a key whose repair failed is tried again; doubled after each further failure.
     */
    private Duration initialBackoff = Duration.ofSeconds(1);

    /**
     * Longest wait between two repairs of one key.
     */
    private Duration maxBackoff = Duration.ofMinutes(5);

    /**
     * How long the oldest-record age (dualwrite.repair.oldest.age) is reused before the logs
     * are read again.
     */
    private Duration oldestAgeCacheFor = Duration.ofSeconds(10);

    /**
     * Age from which a DUAL write intent that was never cleared is taken for a write whose
     * process died between the Redis write and the PostgreSQL copy, and repaired. Must exceed
     * dual-write.secondary.timeout plus the Redis command timeout; when unset, that sum plus
     * 10s.
     */
    private @Nullable Duration interruptedWriteGrace;

    /**
     * Name of this instance in claims; defaults to dual-write.control.instance-id.
     */
    private @Nullable String instanceId;

    /**
     * Prefix of the Redis keys that hold repair records, reconciler claims and write intents,
     * which are named after the repository. Applications that share one Redis and migrate
     * tables of the same name need a prefix each. Must not contain '{' or '}', nor put the keys
     * under the key prefix of a repository of JSON strings or the keyspace of a @RedisHash
     * repository. Records left under a former prefix are not drained.
     */
    private String redisKeyPrefix = "dualwrite:";

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getInterval() {
        return this.interval;
    }

    public void setInterval(Duration interval) {
        this.interval = interval;
    }

    public int getBatchSize() {
        return this.batchSize;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public Duration getLease() {
        return this.lease;
    }

    public void setLease(Duration lease) {
        this.lease = lease;
    }

    public Duration getMinAge() {
        return this.minAge;
    }

    public void setMinAge(Duration minAge) {
        this.minAge = minAge;
    }

    public Duration getInitialBackoff() {
        return this.initialBackoff;
    }

    public void setInitialBackoff(Duration initialBackoff) {
        this.initialBackoff = initialBackoff;
    }

    public Duration getMaxBackoff() {
        return this.maxBackoff;
    }

    public void setMaxBackoff(Duration maxBackoff) {
        this.maxBackoff = maxBackoff;
    }

    public Duration getOldestAgeCacheFor() {
        return this.oldestAgeCacheFor;
    }

    public void setOldestAgeCacheFor(Duration oldestAgeCacheFor) {
        this.oldestAgeCacheFor = oldestAgeCacheFor;
    }

    public @Nullable Duration getInterruptedWriteGrace() {
        return this.interruptedWriteGrace;
    }

    public void setInterruptedWriteGrace(@Nullable Duration interruptedWriteGrace) {
        this.interruptedWriteGrace = interruptedWriteGrace;
    }

    public @Nullable String getInstanceId() {
        return this.instanceId;
    }

    public void setInstanceId(@Nullable String instanceId) {
        this.instanceId = instanceId;
    }

    public String getRedisKeyPrefix() {
        return this.redisKeyPrefix;
    }

    public void setRedisKeyPrefix(String redisKeyPrefix) {
        this.redisKeyPrefix = redisKeyPrefix;
    }

}
