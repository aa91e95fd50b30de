package dev.dualwrite.core.store.scan;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Enumerates one repository's old store in bounded memory, one batch at a time from a
 * resumable {@link SourcePosition}, and reads keys' current values: what the backfill and the
 * verifier need of the old store, whatever it is (Redis, a JDBC table, a user's own).
 * <p>
 * A value that cannot be decoded comes back as a reject entry ({@link ScannedEntry#isReject()})
 * and never stops the scan. A store failure (connection lost, time-out) is thrown; the caller
 * retries the same step from the same position, so a step must be repeatable. A scan from the
 * initial position to a complete batch returns every key that existed throughout it at least
 * once, and may return a key more than once.
 * <p>
 * Positions are opaque: a caller keeps the position of the last batch, or its
 * {@link SourcePosition#text() text} in a checkpoint, and hands it back to the scanner that
 * made it, never to another kind of scanner.
 * @param <R> the old store's entity type
 * @param <ID> the id type
 */
public interface OldStoreScanner<R, ID> {

    /** The name of the one partition of a scan that cannot be split ({@link #partitions}). */
    String WHOLE = "all";

    /**
     * Return the position before anything was scanned.
     * @return the initial position
     */
    SourcePosition initialPosition();

    /**
     * Parse the {@link SourcePosition#text() text form} of a position, as a checkpoint stored
     * it.
     * @param text the text form
     * @return a position equal to the one the text was taken from
     * @throws IllegalArgumentException when the text is not a position of this kind of scanner
     */
    SourcePosition parsePosition(String text);

    /**
     * Scan one step from a position: the I/O of {@link #scanPage}, then {@link #decode}.
     * @param from where to continue: {@link #initialPosition()}, a position this scanner
     * returned, or one it parsed
     * @param settings the limits of the scan
     * @return the batch and the position after it
     */
    SourceBatch<R, ID> nextPage(SourcePosition from, ScanSettings settings);

    /**
     * Do the I/O half of {@link #nextPage}: read about {@link ScanSettings#batchSize()} keys
     * (a store may return more in one step when its own reply is larger: a Redis {@code SSCAN}
     * reply holds a small set whole) and their values, but leave the values undecoded, so that a caller can decode them on
     * other threads with {@link #decode}.
     * @param from where to continue (see {@link #nextPage})
     * @param settings the limits of the scan
     * @return the replies and the position after them
     */
    RawSourceBatch scanPage(SourcePosition from, ScanSettings settings);

    /**
     * Do the CPU half of {@link #nextPage}: decode replies read by {@link #scanPage}. Touches
     * no server and is safe to call from several threads at once.
     * @param entries replies read by this scanner
     * @return one decoded or rejected entry per reply, in the same order
     */
    List<ScannedEntry<R, ID>> decode(List<RawEntry> entries);

    /**
     * Read the current values of some keys.
     * @param keys the keys, as {@link #keyOf} makes them
     * @param settings the limits of the reads
     * @return decoded or rejected entries of the keys that exist, in the order of {@code keys}
     */
    List<ScannedEntry<R, ID>> read(Collection<String> keys, ScanSettings settings);

    /**
     * Return which of some keys exist now: the backfill's check that a key it copied was not
     * deleted meanwhile, and its sweep for keys gone from the old store.
     * @param keys the keys, as {@link #keyOf} makes them
     * @param settings the limits of the reads
     * @return those of the keys that exist, and no other
     */
    Set<String> existing(Collection<String> keys, ScanSettings settings);

    /**
     * Return the key of an id in the old store: the {@link ScannedEntry#redisKey()} a scan
     * reports for it.
     * @param id the id
     * @return its key
     */
    String keyOf(ID id);

    /**
     * Split what is left of a scan into partitions that can be scanned independently, each
     * from its own position to its own complete batch, by several workers at once: together
     * they return every key the scan from {@code from} would, and no partition returns a key
     * another one does (short of the store's own layout changing meanwhile). A store that
     * cannot be split returns one partition, named {@value #WHOLE}, holding {@code from}.
     * @param from where the scan stands: {@link #initialPosition()} or a position this
     * scanner returned or parsed
     * @return the partitions' starting positions by a name that stays the same from one call
     * to the next (a Redis cluster's master node ids), in a stable order; empty when a store
     * that splits finds nothing left to scan (a store that does not split always returns its
     * one partition)
     */
    default Map<String, SourcePosition> partitions(SourcePosition from) {
        return Map.of(WHOLE, from);
    }

    /**
     * Return the number of entities when the store knows it cheaply, or {@code -1} when only a
     * scan could tell (see {@link SourceBatch#fraction()} instead).
     * @return the size, or {@code -1}
     */
    long size();

    /**
     * Describe the store for messages, e.g. {@code "JSON strings under 'token:'"}.
     * @return the description
     */
    String describe();

}
