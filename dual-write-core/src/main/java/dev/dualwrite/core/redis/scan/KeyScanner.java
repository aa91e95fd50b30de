package dev.dualwrite.core.redis.scan;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * Walks every key of a Redis database, whatever repository it belongs to, and tells each
 * key's type, time to live and, for the keys asked, memory use: {@code SCAN MATCH COUNT} on
 * every master of a cluster (never {@code KEYS}), then pipelined {@code TYPE}, {@code PTTL}
 * and {@code MEMORY USAGE ... SAMPLES} with a bounded number of commands in flight. The
 * inventory's view of Redis: it needs the keys no repository scanner sees (index sets, keys
 * of no repository).
 * <p>
 * Keys stay the bytes {@code SCAN} returned from the scan through the inspection: a key that
 * is not valid UTF-8 (a JDK-serialised one, {@code \xac\xed...}) would not survive a trip
 * through a {@code String}, and would be asked about under another name.
 * <p>
 * Each call borrows a connection from the factory and gives it back, like the entity
 * scanners; a Redis failure is thrown and the caller may repeat the step from the same
 * position.
 */
public final class KeyScanner {

    // Calls per page at most, so that a sparse pattern still yields regularly.
    private static final int MAX_CALLS_PER_PAGE = 64;

    private final RedisConnectionFactory connectionFactory;

    /**
     * @param connectionFactory the Redis connections (Lettuce), standalone or cluster
     */
    public KeyScanner(RedisConnectionFactory connectionFactory) {
        Assert.notNull(connectionFactory, "connectionFactory must not be null");
        this.connectionFactory = connectionFactory;
    }

    /**
     * Scan one page: {@code SCAN} calls on the masters in turn until {@code pageSize} keys are
     * gathered or every master is done.
     * @param from where to continue ({@link ScanPosition#initial()} at first)
     * @param match the {@code MATCH} glob, {@code "*"} for every key
     * @param scanCount the {@code COUNT} hint of each call
     * @param pageSize keys per page at most (a page may hold a few more: the last call's
     * keys are kept whole)
     * @param timeout time limit of one command
     * @return the keys, distinct within the page, and the position after them
     */
    public KeyPage scan(ScanPosition from, String match, int scanCount, int pageSize, Duration timeout) {
        Assert.notNull(from, "from must not be null");
        Assert.isTrue(StringUtils.hasLength(match), "match must not be empty");
        Assert.isTrue(scanCount > 0 && pageSize > 0, "scanCount and pageSize must be positive");
        try (LettuceNodes access = LettuceNodes.open(this.connectionFactory, timeout)) {
            List<String> nodes = access.masters();
            ScanPosition position = from;
            // By content: byte arrays compare by identity.
            Map<ByteBuffer, byte[]> keys = new LinkedHashMap<>();
            ScanArgs args = ScanArgs.Builder.matches(match).limit(Math.min(scanCount, pageSize));
            for (int calls = 0; keys.size() < pageSize && calls < MAX_CALLS_PER_PAGE; calls++) {
                String node = firstPending(nodes, position);
                if (node == null) {
                    break;
                }
                KeyScanCursor<byte[]> result = access
                    .await(access.node(node).scan(ScanCursor.of(position.cursor(node)), args));
                result.getKeys().forEach((key) -> keys.putIfAbsent(ByteBuffer.wrap(key), key));
                position = position.advance(node, result.isFinished() ? "0" : result.getCursor());
            }
            return new KeyPage(List.copyOf(keys.values()), position, position.isComplete(nodes), position.fraction(nodes),
                    nodes.size());
        }
    }

    /**
     * Tell the type and time to live of keys, and the memory use of some of them.
     * @param keys the keys, as {@code SCAN} returned them
     * @param measure the positions in {@code keys} of the keys whose memory to measure (others
     * answer {@code -1})
     * @param memorySamples the {@code SAMPLES} of each {@code MEMORY USAGE}: nested values
     * Redis looks at to estimate an aggregate (0: all of them, which may be slow on big ones)
     * @param pipelineDepth keys whose commands are in flight at once
     * @param timeout time limit of one command
     * @return one entry per key, in order; a key gone meanwhile has type {@code none}
     */
    public List<KeyFacts> inspect(List<byte[]> keys, BitSet measure, int memorySamples, int pipelineDepth,
            Duration timeout) {
        Assert.notNull(keys, "keys must not be null");
        Assert.notNull(measure, "measure must not be null");
        Assert.isTrue(memorySamples >= 0, "memorySamples must not be negative");
        Assert.isTrue(pipelineDepth > 0, "pipelineDepth must be positive");
        List<KeyFacts> facts = new ArrayList<>(keys.size());
        try (LettuceNodes access = LettuceNodes.open(this.connectionFactory, timeout)) {
            for (int from = 0; from < keys.size(); from += pipelineDepth) {
                List<byte[]> window = keys.subList(from, Math.min(keys.size(), from + pipelineDepth));
                List<RedisFuture<String>> types = new ArrayList<>(window.size());
                List<RedisFuture<Long>> ttls = new ArrayList<>(window.size());
                List<RedisFuture<Long>> memories = new ArrayList<>(window.size());
                for (int i = 0; i < window.size(); i++) {
                    byte[] key = window.get(i);
                    types.add(access.commands().type(key));
                    ttls.add(access.commands().pttl(key));
                    memories.add(measure.get(from + i) ? memoryUsage(access, key, memorySamples) : null);
                }
                for (int i = 0; i < window.size(); i++) {
                    String type = access.await(types.get(i));
                    Long ttl = access.await(ttls.get(i));
                    RedisFuture<Long> memoryReply = memories.get(i);
                    long memory = -1;
                    if (memoryReply != null) {
                        // A key gone between TYPE and MEMORY USAGE answers nil.
                        Long bytes = access.awaitReply(memoryReply).value();
                        memory = (bytes != null) ? bytes : -1;
                    }
                    facts.add(new KeyFacts(window.get(i),
                            (type != null) ? type.toLowerCase(Locale.ROOT) : "none", (ttl != null) ? ttl : -2, memory));
                }
            }
        }
        return facts;
    }

    // Lettuce's memoryUsage() has no SAMPLES; dispatched with the key as the first key
    // argument, a cluster connection routes it to the key's slot.
    private static RedisFuture<Long> memoryUsage(LettuceNodes access, byte[] key, int samples) {
        CommandArgs<byte[], byte[]> args = new CommandArgs<>(ByteArrayCodec.INSTANCE).add("USAGE")
            .addKey(key)
            .add("SAMPLES")
            .add(samples);
        return access.commands().dispatch(CommandType.MEMORY, new IntegerOutput<>(ByteArrayCodec.INSTANCE), args);
    }

    private static String firstPending(List<String> nodes, ScanPosition position) {
        for (String node : nodes) {
            if (!position.isDone(node)) {
                return node;
            }
        }
        return null;
    }

    /**
     * Return a key as text: the key itself when it is valid UTF-8 without control characters,
     * else escaped as {@code redis-cli} shows it, e.g. {@code "token:\xac\xed\x00\x05"}.
     * @param key the key's bytes
     * @return the text, for reports and logs
     */
    public static String display(byte[] key) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(key))
                .toString();
            if (text.chars().noneMatch(Character::isISOControl)) {
                return text;
            }
        }
        catch (CharacterCodingException ex) {
            // Not UTF-8: escaped below.
        }
        StringBuilder escaped = new StringBuilder(key.length + 16);
        for (byte b : key) {
            int c = b & 0xff;
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '"' -> escaped.append("\\\"");
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        escaped.append((char) c);
                    }
                    else {
                        escaped.append(String.format(Locale.ROOT, "\\x%02x", c));
                    }
                }
            }
        }
        return escaped.toString();
    }

    /**
     * Return a key decoded as UTF-8 for matching against patterns: bytes that are not UTF-8
     * become U+FFFD, which no literal part of a pattern contains.
     * @param key the key's bytes
     * @return the text
     */
    public static String decode(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    /**
     * Return the bytes of a key named in text, as UTF-8.
     * @param key the key
     * @return its bytes
     */
    public static byte[] encode(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * One page of a scan.
     * @param keys the keys as Redis holds them, distinct within the page ({@code SCAN} may return a key again in
     * a later page while Redis resizes its table)
     * @param position where the next page starts
     * @param complete whether every master has been scanned
     * @param fraction estimated share of the keys passed, from 0 to 1
     * @param masters the number of masters scanned (1 without a cluster)
     */
    public record KeyPage(List<byte[]> keys, ScanPosition position, boolean complete, double fraction, int masters) {
    }

    /**
     * What Redis said about one key.
     * @param key the key as Redis holds it
     * @param type the {@code TYPE} answer in lower case ({@code string}, {@code hash},
     * {@code set}, ...), {@code none} when the key is gone
     * @param ttlMillis the {@code PTTL} answer: milliseconds left, {@code -1} for a key without
     * expiry, {@code -2} for a key gone
     * @param memoryBytes the {@code MEMORY USAGE} answer, {@code -1} when not measured
     */
    public record KeyFacts(byte[] key, String type, long ttlMillis, long memoryBytes) {

        /** Return the key as text, escaped when it is not UTF-8 ({@link KeyScanner#display}). */
        public String name() {
            return display(this.key);
        }

        /** Return whether the key still existed when asked. */
        public boolean exists() {
            return !"none".equals(this.type);
        }

        /** Return whether the key has a time to live. */
        public boolean expires() {
            return this.ttlMillis >= 0;
        }

    }

}
