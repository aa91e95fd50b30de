package dev.dualwrite.core.redis.scan;

import java.util.List;

import dev.dualwrite.core.store.scan.ScannedEntry;

import org.springframework.util.Assert;

/**
 * What one scan step found, and where to continue.
 * @param entries the keys found, decoded or rejected; a key may show up again in a later
 * batch (Redis may return a key twice while its table is resized), so consumers must be
 * idempotent; keys that vanished between the scan and the read are left out
 * @param position where to continue; after every key of {@code entries}
 * @param complete whether the scan is complete with this batch
 * @param fraction estimate of the part of the store scanned so far, from 0 to 1
 * @param <R> the Redis entity type
 * @param <ID> the id type
 */
public record ScanBatch<R, ID>(List<ScannedEntry<R, ID>> entries, ScanPosition position, boolean complete,
        double fraction) {

    public ScanBatch {
        Assert.notNull(entries, "entries must not be null");
        Assert.notNull(position, "position must not be null");
        entries = List.copyOf(entries);
    }

}
