package dev.dualwrite.core.redis.scan;

import java.time.Duration;

import io.lettuce.core.ScanArgs;

import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * How hard a scan may press on Redis.
 * @param idPattern glob ({@code SCAN MATCH} syntax) matched against the part of the key that
 * is the id (after the key prefix, or the members of a keyspace set); {@code "*"} for all
 * @param batchSize keys per batch handed to the consumer (the scan gathers keys until it has
 * this many or a node is done)
 * @param scanCount the {@code COUNT} hint of each {@code SCAN}/{@code SSCAN} call (at most {@code batchSize})
 * @param pipelineDepth most read commands in flight at once ({@code MGET} of up to 100 keys
 * counts as one, as does each {@code HGETALL})
 * @param timeout time limit of one Redis command
 */
public record ScanSettings(String idPattern, int batchSize, int scanCount, int pipelineDepth, Duration timeout) {

    public static final ScanSettings DEFAULTS = new ScanSettings("*", 500, 500, 64, Duration.ofSeconds(10));

    public ScanSettings {
        Assert.isTrue(StringUtils.hasLength(idPattern), "idPattern must not be empty");
        Assert.isTrue(batchSize > 0 && batchSize <= 10_000, "batchSize must be between 1 and 10000");
        Assert.isTrue(scanCount > 0 && scanCount <= 10_000, "scanCount must be between 1 and 10000");
        Assert.isTrue(pipelineDepth > 0 && pipelineDepth <= 10_000, "pipelineDepth must be between 1 and 10000");
        Assert.isTrue(timeout != null && !timeout.isNegative() && !timeout.isZero(), "timeout must be positive");
    }

    /**
     * Return the arguments of one {@code SCAN} or {@code SSCAN} call: the pattern, and the
     * {@code COUNT} hint, never above the batch size.
     * @param match the {@code MATCH} pattern
     * @return the arguments
     */
    public ScanArgs scanArgs(String match) {
        return ScanArgs.Builder.matches(match).limit(Math.min(this.scanCount, this.batchSize));
    }

    public ScanSettings withBatchSize(int batchSize) {
        return new ScanSettings(this.idPattern, batchSize, this.scanCount, this.pipelineDepth, this.timeout);
    }

}
