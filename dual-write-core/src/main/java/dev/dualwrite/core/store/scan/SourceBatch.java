package dev.dualwrite.core.store.scan;

import java.util.List;

import org.springframework.util.Assert;

/**
 * What one step of a scan of the old store found, decoded, and where to continue.
 * @param entries the keys found, decoded or rejected; a key may show up again in a later batch
 * (Redis may return a key twice while its table is resized), so consumers must be idempotent;
 * keys that vanished between the scan and the read are left out
 * @param position where to continue; after every key of {@code entries}
 * @param complete whether the scan is complete with this batch
 * @param fraction estimate of the part of the store scanned so far, from 0 to 1
 * @param <R> the old store's entity type
 * @param <ID> the id type
 */
public record SourceBatch<R, ID>(List<ScannedEntry<R, ID>> entries, SourcePosition position, boolean complete,
        double fraction) {

    public SourceBatch {
        Assert.notNull(entries, "entries must not be null");
        Assert.notNull(position, "position must not be null");
        entries = List.copyOf(entries);
    }

}
