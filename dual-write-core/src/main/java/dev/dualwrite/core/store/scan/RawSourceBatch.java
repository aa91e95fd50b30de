package dev.dualwrite.core.store.scan;

import java.util.List;

import org.springframework.util.Assert;

/**
 * What one step of a scan of the old store read, before decoding: the same as a
 * {@link SourceBatch} but with the replies as the store returned them, to be decoded with
 * {@link OldStoreScanner#decode} (on the backfill's writer threads).
 * @param entries the keys found, with their replies; keys that vanished between the scan and
 * the read are left out; a key may show up again in a later batch
 * @param position where to continue; after every key of {@code entries}
 * @param complete whether the scan is complete with this batch
 * @param fraction estimate of the part of the store scanned so far, from 0 to 1
 */
public record RawSourceBatch(List<RawEntry> entries, SourcePosition position, boolean complete, double fraction) {

    public RawSourceBatch {
        Assert.notNull(entries, "entries must not be null");
        Assert.notNull(position, "position must not be null");
        entries = List.copyOf(entries);
    }

}
