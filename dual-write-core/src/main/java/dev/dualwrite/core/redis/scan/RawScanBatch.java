package dev.dualwrite.core.redis.scan;

import java.util.List;

import dev.dualwrite.core.store.scan.RawEntry;

import org.springframework.util.Assert;

/**
 * What one scan step read, before decoding: the same as a {@link ScanBatch} but with the
 * replies as Redis returned them (see {@link RedisEntityScanner#decode}).
 * @param entries the keys found, with their replies; keys that vanished between the scan and
 * the read are left out; a key may show up again in a later batch
 * @param position where to continue; after every key of {@code entries}
 * @param complete whether the scan is complete with this batch
 * @param fraction estimate of the part of the store scanned so far, from 0 to 1
 */
public record RawScanBatch(List<RawEntry> entries, ScanPosition position, boolean complete, double fraction) {

    public RawScanBatch {
        Assert.notNull(entries, "entries must not be null");
        Assert.notNull(position, "position must not be null");
        entries = List.copyOf(entries);
    }

}
