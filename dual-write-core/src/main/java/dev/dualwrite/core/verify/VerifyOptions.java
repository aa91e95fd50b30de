package dev.dualwrite.core.verify;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * What a verification compares and how.
 * @param mode full, sampled or counts only
 * @param samplePercent share of keys compared in {@link VerifyMode#SAMPLED}, from 0 to 100
 * (ignored when {@code sampleCount} is positive)
 * @param sampleCount number of keys compared in {@link VerifyMode#SAMPLED}; when positive it
 * wins over {@code samplePercent} (the share is derived from the larger of the
 * PostgreSQL table and the Redis key count)
 * @param includeValues whether the report carries the differing values (they may hold
 * personal data)
 * @param batchSize keys read per batch from each store
 * @param maxDifferences most differences listed in the report; all are counted
 * @param settleDelay how long a difference found must persist before it is reported: it is
 * read again from both stores, under the key's lock, after this delay and once more after
 * another, so that a write still in flight is not reported
 */
public record VerifyOptions(VerifyMode mode, double samplePercent, long sampleCount, boolean includeValues,
        int batchSize, int maxDifferences, Duration settleDelay) {

    public VerifyOptions {
        Assert.notNull(mode, "mode must not be null");
        Assert.isTrue(samplePercent >= 0 && samplePercent <= 100, "samplePercent must be between 0 and 100");
        Assert.isTrue(sampleCount >= 0, "sampleCount must not be negative");
        Assert.isTrue(batchSize > 0 && batchSize <= 10_000, "batchSize must be between 1 and 10000");
        Assert.isTrue(maxDifferences >= 0, "maxDifferences must not be negative");
        Assert.isTrue(settleDelay != null && !settleDelay.isNegative(), "settleDelay must not be negative");
    }

    /**
     * Return the options of a full verification without values.
     * @return the defaults: full, 500 keys per batch, up to 100 000 differences listed, 200 ms
     * settle delay
     */
    public static VerifyOptions full() {
        return new VerifyOptions(VerifyMode.FULL, 100, 0, false, 500, 100_000, Duration.ofMillis(200));
    }

    public static VerifyOptions countsOnly() {
        return full().withMode(VerifyMode.COUNTS_ONLY);
    }

    /**
     * Return the options of a sampled verification of a share of keys.
     * @param percent the share, from 0 to 100
     * @return the options
     */
    public static VerifyOptions samplePercent(double percent) {
        VerifyOptions full = full();
        return new VerifyOptions(VerifyMode.SAMPLED, percent, 0, false, full.batchSize, full.maxDifferences,
                full.settleDelay);
    }

    /**
     * Return the options of a sampled verification of about {@code count} keys.
     * @param count the number of keys
     * @return the options
     */
    public static VerifyOptions sampleCount(long count) {
        VerifyOptions full = full();
        return new VerifyOptions(VerifyMode.SAMPLED, 100, count, false, full.batchSize, full.maxDifferences,
                full.settleDelay);
    }

    public VerifyOptions withMode(VerifyMode mode) {
        return new VerifyOptions(mode, this.samplePercent, this.sampleCount, this.includeValues, this.batchSize,
                this.maxDifferences, this.settleDelay);
    }

    public VerifyOptions withValues(boolean includeValues) {
        return new VerifyOptions(this.mode, this.samplePercent, this.sampleCount, includeValues, this.batchSize,
                this.maxDifferences, this.settleDelay);
    }

    public VerifyOptions withBatchSize(int batchSize) {
        return new VerifyOptions(this.mode, this.samplePercent, this.sampleCount, this.includeValues, batchSize,
                this.maxDifferences, this.settleDelay);
    }

    public VerifyOptions withMaxDifferences(int maxDifferences) {
        return new VerifyOptions(this.mode, this.samplePercent, this.sampleCount, this.includeValues,
                this.batchSize, maxDifferences, this.settleDelay);
    }

    public VerifyOptions withSettleDelay(Duration settleDelay) {
        return new VerifyOptions(this.mode, this.samplePercent, this.sampleCount, this.includeValues,
                this.batchSize, this.maxDifferences, settleDelay);
    }

}
