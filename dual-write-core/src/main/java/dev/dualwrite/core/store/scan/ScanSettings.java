package dev.dualwrite.core.store.scan;

import java.time.Duration;

import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * How hard a scan may press on the old store. An {@link OldStoreScanner} must honour
 * {@code idPattern}, {@code batchSize} and {@code timeout}; {@code scanCount} and
 * {@code pipelineDepth} are hints a store may ignore when it has nothing they map to.
 * @param idPattern glob (Redis's {@code SCAN MATCH} syntax) matched against the part of the
 * key that is the id (for Redis: after the key prefix, or the members of a keyspace set);
 * {@code "*"} for all
 * @param batchSize keys per batch handed to the consumer (a Redis scan gathers keys until it
 * has this many or a node is done)
 * @param scanCount for Redis, the {@code COUNT} hint of each {@code SCAN}/{@code SSCAN} call
 * (at most {@code batchSize})
 * @param pipelineDepth most read commands in flight at once (for Redis, {@code MGET} of up to
 * 100 keys counts as one, as does each {@code HGETALL})
 * @param timeout time limit of one command to the old store
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

    /** Return these settings with another batch size. */
    public ScanSettings withBatchSize(int batchSize) {
        return new ScanSettings(this.idPattern, batchSize, this.scanCount, this.pipelineDepth, this.timeout);
    }

}
