package dev.dualwrite.core.redis.scan;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Enumerates one repository's Redis store in bounded memory, one batch at a time, from a
 * resumable {@link ScanPosition}, and reads keys' current values. Never uses {@code KEYS}:
 * {@code SCAN}/{@code SSCAN} with a bounded {@code COUNT} on every master, then pipelined
 * reads with a bounded number of commands in flight.
 * <p>
 * A value that cannot be decoded comes back as a reject entry and never stops the scan. A
 * Redis failure (connection lost, time-out) is thrown; the caller retries the same step from
 * the same position.
 * @param <R> the Redis entity type
 * @param <ID> the id type
 */
public interface RedisEntityScanner<R, ID> {

    /**
     * Scan one step from a position: {@code SCAN}/{@code SSCAN} calls until
     * {@link ScanSettings#batchSize()} keys are gathered or the scan is complete, then the
     * gathered keys' values.
     * @param from where to continue
     * @param settings the limits of the scan
     * @return the batch and the position after it
     */
    ScanBatch<R, ID> next(ScanPosition from, ScanSettings settings);

    /**
     * Do the I/O half of {@link #next}: the same {@code SCAN}/{@code SSCAN} calls and
     * pipelined reads, but the replies are left undecoded, so that a caller can decode them
     * on other threads with {@link #decode}.
     * @param from where to continue
     * @param settings the limits of the scan
     * @return the replies and the position after them
     */
    RawScanBatch scan(ScanPosition from, ScanSettings settings);

    /**
     * Do the CPU half of {@link #next}: decode replies read by {@link #scan}. Touches no
     * server and is safe to call from several threads at once.
     * @param entries replies read by this scanner
     * @return one decoded or rejected entry per reply, in the same order
     */
    List<ScannedEntry<R, ID>> decode(List<RawEntry> entries);

    /**
     * Read the current values of some keys, with the same pipelined reads as a scan.
     * @param redisKeys the keys
     * @param settings the limits of the reads
     * @return decoded or rejected entries of the keys that exist, in the order of
     * {@code redisKeys}
     */
    List<ScannedEntry<R, ID>> read(Collection<String> redisKeys, ScanSettings settings);

    /**
     * Return which of some keys exist now (pipelined {@code EXISTS}).
     * @param redisKeys the keys
     * @param settings the limits of the reads
     * @return the keys that exist
     */
    Set<String> existing(Collection<String> redisKeys, ScanSettings settings);

    /**
     * Return the Redis key of an id.
     * @param id the id
     * @return its key
     */
    String keyOf(ID id);

    /**
     * Return the number of entities when Redis knows it cheaply ({@code SCARD} of a keyspace
     * set), or {@code -1} when only a scan could tell (keys under a prefix: see
     * {@link ScanBatch#fraction()} instead).
     * @return the size, or {@code -1}
     */
    long size();

    /**
     * Describe the store for messages, e.g. {@code "JSON strings under 'token:'"}.
     * @return the description
     */
    String describe();

}
