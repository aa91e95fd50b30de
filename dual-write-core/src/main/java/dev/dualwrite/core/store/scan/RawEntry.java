package dev.dualwrite.core.store.scan;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * One key as the old store returned it, not decoded yet: the output of the I/O half of a scan
 * step ({@link OldStoreScanner#scanPage}), handed to {@link OldStoreScanner#decode} on whatever
 * thread has CPU to spare. Keeping decoding out of the scanning thread is what lets one reader
 * feed several writers.
 * @param redisKey the key in the old store (the Redis key for Redis; the name stays from when
 * Redis was the only old store)
 * @param reply the reply as read (for Redis: {@code byte[]} of a JSON string,
 * {@code Map<byte[], byte[]>} of a hash), opaque to everyone but the scanner that read it;
 * {@code null} with a problem
 * @param problem what is wrong with the key found while reading (for Redis: another Redis
 * type), or {@code null}
 */
public record RawEntry(String redisKey, @Nullable Object reply, @Nullable String problem) {

    public RawEntry {
        Assert.notNull(redisKey, "redisKey must not be null");
        Assert.isTrue((reply == null) != (problem == null), "exactly one of reply and problem must be set");
    }

}
