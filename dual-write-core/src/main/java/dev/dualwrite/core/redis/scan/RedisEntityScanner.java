package dev.dualwrite.core.redis.scan;

import java.util.Collection;
import java.util.List;
import java.util.Set;

import dev.dualwrite.core.store.scan.OldStoreScanner;
import dev.dualwrite.core.store.scan.RawEntry;
import dev.dualwrite.core.store.scan.RawSourceBatch;
import dev.dualwrite.core.store.scan.ScanSettings;
import dev.dualwrite.core.store.scan.ScannedEntry;
import dev.dualwrite.core.store.scan.SourceBatch;
import dev.dualwrite.core.store.scan.SourcePosition;

/**
 * Enumerates one repository's Redis store in bounded memory, one batch at a time, from a
 * resumable {@link ScanPosition}, and reads keys' current values. Never uses {@code KEYS}:
 * {@code SCAN}/{@code SSCAN} with a bounded {@code COUNT} on every master, then pipelined
 * reads with a bounded number of commands in flight.
 * <p>
 * A value that cannot be decoded comes back as a reject entry and never stops the scan. A
 * Redis failure (connection lost, time-out) is thrown; the caller retries the same step from
 * the same position.
 * <p>
 * This is the Redis implementation of the store-neutral {@link OldStoreScanner}: its methods
 * with a {@link SourcePosition} are bridges to the Redis-typed {@link #next} and {@link #scan},
 * and the text form of its positions is {@link ScanPosition#toString()}, unchanged, so that
 * checkpoints written before the interface existed resume.
 * @param <R> the Redis entity type
 * @param <ID> the id type
 */
public interface RedisEntityScanner<R, ID> extends OldStoreScanner<R, ID> {

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
    @Override
    List<ScannedEntry<R, ID>> decode(List<RawEntry> entries);

    /**
     * Read the current values of some keys, with the same pipelined reads as a scan.
     * @param redisKeys the keys
     * @param settings the limits of the reads
     * @return decoded or rejected entries of the keys that exist, in the order of
     * {@code redisKeys}
     */
    @Override
    List<ScannedEntry<R, ID>> read(Collection<String> redisKeys, ScanSettings settings);

    /**
     * Return which of some keys exist now (pipelined {@code EXISTS}).
     * @param redisKeys the keys
     * @param settings the limits of the reads
     * @return the keys that exist
     */
    @Override
    Set<String> existing(Collection<String> redisKeys, ScanSettings settings);

    /**
     * Return the Redis key of an id.
     * @param id the id
     * @return its key
     */
    @Override
    String keyOf(ID id);

    /**
     * Return the number of entities when Redis knows it cheaply ({@code SCARD} of a keyspace
     * set), or {@code -1} when only a scan could tell (keys under a prefix: see
     * {@link ScanBatch#fraction()} instead).
     * @return the size, or {@code -1}
     */
    @Override
    long size();

    /**
     * Describe the store for messages, e.g. {@code "JSON strings under 'token:'"}.
     * @return the description
     */
    @Override
    String describe();

    /**
     * Return {@link ScanPosition#initial()}.
     * @return the position before anything was scanned
     */
    @Override
    default ScanPosition initialPosition() {
        return ScanPosition.initial();
    }

    /**
     * Parse a checkpoint's text with {@link ScanPosition#parse(String)}.
     * @param text the text form, as {@link ScanPosition#toString()} wrote it
     * @return the scan position
     * @throws IllegalArgumentException when the text is not a scan position
     */
    @Override
    default ScanPosition parsePosition(String text) {
        return ScanPosition.parse(text);
    }

    /**
     * Scan one step with {@link #next}, from a position this scanner returned or parsed.
     * @param from where to continue
     * @param settings the limits of the scan
     * @return the batch, with a {@link ScanPosition}
     */
    @Override
    default SourceBatch<R, ID> nextPage(SourcePosition from, ScanSettings settings) {
        ScanBatch<R, ID> batch = next(ScanPosition.from(from), settings);
        return new SourceBatch<>(batch.entries(), batch.position(), batch.complete(), batch.fraction());
    }

    /**
     * Do the I/O half of a step with {@link #scan}, from a position this scanner returned or
     * parsed.
     * @param from where to continue
     * @param settings the limits of the scan
     * @return the replies, with a {@link ScanPosition}
     */
    @Override
    default RawSourceBatch scanPage(SourcePosition from, ScanSettings settings) {
        RawScanBatch batch = scan(ScanPosition.from(from), settings);
        return new RawSourceBatch(batch.entries(), batch.position(), batch.complete(), batch.fraction());
    }

}
