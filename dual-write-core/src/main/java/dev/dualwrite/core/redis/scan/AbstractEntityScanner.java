package dev.dualwrite.core.redis.scan;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.dualwrite.core.store.scan.RawEntry;
import dev.dualwrite.core.store.scan.ScanSettings;
import dev.dualwrite.core.store.scan.ScannedEntry;
import dev.dualwrite.core.store.scan.SourcePosition;
import io.lettuce.core.RedisFuture;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.Assert;

/**
 * The scan loop shared by both Redis shapes: gather keys node by node with bounded
 * {@code SCAN}-like calls until a batch is full, then read them with bounded pipelines.
 * Reading and decoding are separate steps ({@link #scan} and {@link #decode}) so that the
 * backfill can keep its one scanning thread on I/O and decode on its writer threads.
 * @param <R> the Redis entity type
 * @param <ID> the id type
 */
abstract class AbstractEntityScanner<R, ID> implements RedisEntityScanner<R, ID> {

    // Calls per step at most, so that a sparse prefix still yields (and checkpoints) regularly.
    private static final int MAX_CALLS_PER_STEP = 64;

    private final RedisConnectionFactory connectionFactory;

    AbstractEntityScanner(RedisConnectionFactory connectionFactory) {
        Assert.notNull(connectionFactory, "connectionFactory must not be null");
        this.connectionFactory = connectionFactory;
    }

    @Override
    public ScanBatch<R, ID> next(ScanPosition from, ScanSettings settings) {
        RawScanBatch raw = scan(from, settings);
        return new ScanBatch<>(decode(raw.entries()), raw.position(), raw.complete(), raw.fraction());
    }

    @Override
    public RawScanBatch scan(ScanPosition from, ScanSettings settings) {
        Assert.notNull(from, "from must not be null");
        Assert.notNull(settings, "settings must not be null");
        try (LettuceNodes access = LettuceNodes.open(this.connectionFactory, settings.timeout())) {
            List<String> nodes = nodes(access);
            ScanPosition position = from;
            // Distinct within the batch; a key seen again in a later batch is the consumer's to absorb.
            Set<String> keys = new LinkedHashSet<>();
            for (int calls = 0; keys.size() < settings.batchSize() && calls < MAX_CALLS_PER_STEP; calls++) {
                String node = firstPending(nodes, position);
                if (node == null) {
                    break;
                }
                Step step = scan(access, node, position.cursor(node), settings);
                keys.addAll(step.keys());
                position = position.advance(node, step.nextCursor());
            }
            List<RawEntry> entries = read(access, new ArrayList<>(keys), settings);
            return new RawScanBatch(entries, position, position.isComplete(nodes), fraction(position, nodes));
        }
    }

    @Override
    public List<ScannedEntry<R, ID>> read(Collection<String> redisKeys, ScanSettings settings) {
        try (LettuceNodes access = LettuceNodes.open(this.connectionFactory, settings.timeout())) {
            return decode(read(access, List.copyOf(new LinkedHashSet<>(redisKeys)), settings));
        }
    }

    @Override
    public List<ScannedEntry<R, ID>> decode(List<RawEntry> entries) {
        List<ScannedEntry<R, ID>> decoded = new ArrayList<>(entries.size());
        for (RawEntry entry : entries) {
            decoded.add(decode(entry));
        }
        return decoded;
    }

    /**
     * Split a scan by node: one partition per master that the position has not finished, its
     * position marking every other master done, so that the scan loop, unchanged, scans that
     * master alone. One node (a single Redis, a keyspace set) is one partition.
     */
    @Override
    public Map<String, SourcePosition> partitions(SourcePosition from) {
        ScanPosition position = ScanPosition.from(from);
        List<String> nodes = withAccess(this::nodes);
        if (nodes.size() == 1) {
            return Map.of(WHOLE, position);
        }
        Map<String, SourcePosition> partitions = new LinkedHashMap<>();
        for (String node : nodes) {
            if (position.isDone(node)) {
                continue;
            }
            ScanPosition alone = position;
            for (String other : nodes) {
                if (!other.equals(node)) {
                    alone = alone.advance(other, "0");
                }
            }
            partitions.put(node, alone);
        }
        return partitions;
    }

    @Override
    public Set<String> existing(Collection<String> redisKeys, ScanSettings settings) {
        Set<String> existing = new LinkedHashSet<>(redisKeys);
        List<String> keys = List.copyOf(existing);
        try (LettuceNodes access = LettuceNodes.open(this.connectionFactory, settings.timeout())) {
            // Usually every key still exists: one multi-key EXISTS (split by slot on a cluster)
            // answers that; only when some vanished are the keys asked one by one.
            for (int from = 0; from < keys.size(); from += 1000) {
                List<String> chunk = keys.subList(from, Math.min(keys.size(), from + 1000));
                Long count = access.await(access.commands().exists(chunk.stream().map(AbstractEntityScanner::bytes)
                    .toArray(byte[][]::new)));
                if (count == null || count != chunk.size()) {
                    Set<String> found = existingOneByOne(access, chunk, settings);
                    for (String key : chunk) {
                        if (!found.contains(key)) {
                            existing.remove(key);
                        }
                    }
                }
            }
        }
        return existing;
    }

    private Set<String> existingOneByOne(LettuceNodes access, List<String> keys, ScanSettings settings) {
        Set<String> existing = new LinkedHashSet<>();
        for (int from = 0; from < keys.size(); from += settings.pipelineDepth()) {
            List<String> window = keys.subList(from, Math.min(keys.size(), from + settings.pipelineDepth()));
            List<RedisFuture<Long>> replies = new ArrayList<>(window.size());
            for (String key : window) {
                replies.add(access.commands().exists(bytes(key)));
            }
            for (int i = 0; i < window.size(); i++) {
                Long count = access.await(replies.get(i));
                if (count != null && count > 0) {
                    existing.add(window.get(i));
                }
            }
        }
        return existing;
    }

    /** Return the nodes (or pseudo-nodes) whose cursors make up a position. */
    abstract List<String> nodes(LettuceNodes access);

    /** One {@code SCAN}-like call on a node. */
    abstract Step scan(LettuceNodes access, String node, String cursor, ScanSettings settings);

    /** Read the values of keys, undecoded; keys that no longer exist are left out. */
    abstract List<RawEntry> read(LettuceNodes access, List<String> keys, ScanSettings settings);

    /** Decode one reply read by {@link #read(LettuceNodes, List, ScanSettings)}; never throws for bad data. */
    abstract ScannedEntry<R, ID> decode(RawEntry entry);

    double fraction(ScanPosition position, List<String> nodes) {
        return position.fraction(nodes);
    }

    <T> T withAccess(Function<LettuceNodes, T> work) {
        try (LettuceNodes access = LettuceNodes.open(this.connectionFactory, ScanSettings.DEFAULTS.timeout())) {
            return work.apply(access);
        }
    }

    private static String firstPending(List<String> nodes, ScanPosition position) {
        for (String node : nodes) {
            if (!position.isDone(node)) {
                return node;
            }
        }
        return null;
    }

    static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }

    record Step(List<String> keys, String nextCursor) {
    }

}
