package dev.dualwrite.core.repair.reconcile;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * How the {@link RepairReconciler} drains repair records.
 * @param interval pause between two drain rounds
 * @param batchSize records claimed at a time, per repository and log
 * @param lease how long a claim holds if its instance dies before finishing it
 * @param minAge records younger than this are left to the live write path, which usually
 * settles them itself a moment later (PostgreSQL outbox rows of writes still in flight)
 * @param initialBackoff wait before a key whose repair failed is tried again; doubled after
 * each further failure
 * @param maxBackoff longest wait between two repairs of one key
 */
public record RepairSettings(Duration interval, int batchSize, Duration lease, Duration minAge,
        Duration initialBackoff, Duration maxBackoff) {

    public RepairSettings {
        Assert.isTrue(interval != null && !interval.isNegative() && !interval.isZero(), "interval must be positive");
        Assert.isTrue(batchSize > 0, "batchSize must be positive");
        Assert.isTrue(lease != null && !lease.isNegative() && !lease.isZero(), "lease must be positive");
        Assert.isTrue(minAge != null && !minAge.isNegative(), "minAge must not be negative");
        Assert.isTrue(initialBackoff != null && !initialBackoff.isNegative() && !initialBackoff.isZero(), "initialBackoff must be positive");
        Assert.isTrue(maxBackoff != null && maxBackoff.compareTo(initialBackoff) >= 0,
                "maxBackoff must not be shorter than initialBackoff");
    }

    /**
     * Return the defaults: every 5 s, 100 records at a time, 60 s leases, records older than
     * 5 s, backoff from 1 s to 5 min.
     * @return the default settings
     */
    public static RepairSettings defaults() {
        return new RepairSettings(Duration.ofSeconds(5), 100, Duration.ofSeconds(60), Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofMinutes(5));
    }

    /**
     * Return how long to wait before trying a key again after its repair failed.
     * @param failures how many repairs of the key failed before this one
     * @return the backoff, doubling per failure up to {@link #maxBackoff}
     */
    public Duration backoffAfter(int failures) {
        int exponent = Math.min(Math.max(failures, 0), 30);
        long millis = this.initialBackoff.toMillis() << exponent;
        return (millis <= 0 || millis > this.maxBackoff.toMillis()) ? this.maxBackoff : Duration.ofMillis(millis);
    }

}
