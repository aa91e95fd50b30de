package dev.dualwrite.core.inventory;

import java.time.Duration;

import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * How an inventory scans, and how hard it may press on the old store.
 * @param match the {@code SCAN MATCH} glob of the keys to look at, {@code "*"} for the whole
 * database; keys outside it are neither counted nor reported as unmatched
 * @param pageSize keys gathered per page before they are inspected
 * @param scanCount the {@code COUNT} hint of each {@code SCAN} call (at most {@code pageSize})
 * @param pipelineDepth keys whose {@code TYPE}/{@code PTTL}/{@code MEMORY USAGE} are in
 * flight at once
 * @param rateLimit keys inspected per second at most, 0 for no limit (the scan then runs as
 * fast as the store answers)
 * @param memorySampleKeys keys per pattern whose memory is measured; the pattern's total is
 * extrapolated from them
 * @param memorySamples the {@code SAMPLES} argument of {@code MEMORY USAGE}: nested values
 * Redis looks at to estimate a hash, set or sorted set (0: all, exact but slow on big ones)
 * @param unmatchedExamples keys of no repository quoted as examples (names only, never values)
 * @param timeout time limit of one Redis command, or of one statement to a JDBC old store
 * (rounded up to whole seconds), its {@code count(*)} of a table among them
 */
public record InventorySettings(String match, int pageSize, int scanCount, int pipelineDepth, double rateLimit,
        int memorySampleKeys, int memorySamples, int unmatchedExamples, Duration timeout) {

    /**
     * The defaults: the whole database, pages of 500, at most 5,000 keys per second (about 3
     * minutes per million keys), memory of 200 keys per pattern.
     */
    public static final InventorySettings DEFAULTS = new InventorySettings("*", 500, 500, 64, 5_000, 200, 5, 10,
            Duration.ofSeconds(10));

    public InventorySettings {
        Assert.isTrue(StringUtils.hasLength(match), "match must not be empty");
        Assert.isTrue(pageSize > 0 && pageSize <= 10_000, "pageSize must be between 1 and 10000");
        Assert.isTrue(scanCount > 0 && scanCount <= 10_000, "scanCount must be between 1 and 10000");
        Assert.isTrue(pipelineDepth > 0 && pipelineDepth <= 10_000, "pipelineDepth must be between 1 and 10000");
        Assert.isTrue(rateLimit >= 0, "rateLimit must not be negative");
        Assert.isTrue(memorySampleKeys >= 0, "memorySampleKeys must not be negative");
        Assert.isTrue(memorySamples >= 0, "memorySamples must not be negative");
        Assert.isTrue(unmatchedExamples >= 0, "unmatchedExamples must not be negative");
        Assert.isTrue(timeout != null && !timeout.isNegative() && !timeout.isZero(), "timeout must be positive");
    }

}
