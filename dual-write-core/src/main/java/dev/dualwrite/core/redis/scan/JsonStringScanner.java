package dev.dualwrite.core.redis.scan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.dualwrite.core.redis.json.RedisJsonCodec;
import dev.dualwrite.core.redis.json.RedisJsonEntityInformation;
import dev.dualwrite.core.redis.json.RedisJsonReadException;
import dev.dualwrite.core.store.scan.RawEntry;
import dev.dualwrite.core.store.scan.ScanSettings;
import dev.dualwrite.core.store.scan.ScannedEntry;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.Assert;

/**
 * Scans the JSON strings of one {@code @RedisJson} entity type: {@code SCAN MATCH
 * <escaped prefix><id pattern> COUNT n} on every master, then {@code MGET} of up to 100 keys
 * per command, decoded with the repository's own {@link RedisJsonCodec}. A key under the
 * prefix that holds another Redis type, or a value that does not decode, is a reject.
 * @param <R> the entity type
 * @param <ID> the id type
 */
public final class JsonStringScanner<R, ID> extends AbstractEntityScanner<R, ID> {

    private static final int KEYS_PER_MGET = 100;

    private final RedisJsonEntityInformation<R, ID> information;

    private final RedisJsonCodec<R, ID> codec;

    private final String escapedPrefix;

    /**
     * @param connectionFactory the application's Redis connections (Lettuce)
     * @param information keys and ids of the entity type
     * @param codec the entity type's JSON
     */
    public JsonStringScanner(RedisConnectionFactory connectionFactory, RedisJsonEntityInformation<R, ID> information,
            RedisJsonCodec<R, ID> codec) {
        super(connectionFactory);
        Assert.notNull(information, "information must not be null");
        Assert.notNull(codec, "codec must not be null");
        this.information = information;
        this.codec = codec;
        this.escapedPrefix = information.getKeyPrefixPattern();
    }

    @Override
    List<String> nodes(LettuceNodes access) {
        return access.masters();
    }

    @Override
    Step scan(LettuceNodes access, String node, String cursor, ScanSettings settings) {
        ScanArgs args = LettuceScans.args(settings, this.escapedPrefix + settings.idPattern());
        KeyScanCursor<byte[]> result = access.await(access.node(node).scan(ScanCursor.of(cursor), args));
        List<String> keys = new ArrayList<>(result.getKeys().size());
        result.getKeys().forEach((key) -> keys.add(string(key)));
        return new Step(keys, result.isFinished() ? "0" : result.getCursor());
    }

    @Override
    List<RawEntry> read(LettuceNodes access, List<String> keys, ScanSettings settings) {
        List<RawEntry> entries = new ArrayList<>(keys.size());
        int window = settings.pipelineDepth() * KEYS_PER_MGET;
        for (int from = 0; from < keys.size(); from += window) {
            List<String> part = keys.subList(from, Math.min(keys.size(), from + window));
            List<RedisFuture<List<KeyValue<byte[], byte[]>>>> replies = new ArrayList<>();
            for (int chunk = 0; chunk < part.size(); chunk += KEYS_PER_MGET) {
                List<String> chunkKeys = part.subList(chunk, Math.min(part.size(), chunk + KEYS_PER_MGET));
                replies.add(access.commands().mget(chunkKeys.stream().map(AbstractEntityScanner::bytes)
                    .toArray(byte[][]::new)));
            }
            List<String> missing = new ArrayList<>();
            int index = 0;
            for (RedisFuture<List<KeyValue<byte[], byte[]>>> reply : replies) {
                for (KeyValue<byte[], byte[]> value : access.await(reply)) {
                    String key = part.get(index++);
                    if (value.hasValue()) {
                        // The bytes as they came: turning them into text and JSON is decode()'s work.
                        entries.add(new RawEntry(key, value.getValue(), null));
                    }
                    else {
                        missing.add(key);
                    }
                }
            }
            entries.addAll(wrongTypes(access, missing));
        }
        return entries;
    }

    // MGET answers nil both for a vanished key and for one of another type; the first is
    // normal (deleted since it was scanned), the second is bad data to set aside. A key that
    // is a string by the time TYPE asks was re-created after the MGET: a live write, which
    // reached PostgreSQL itself, not bad data.
    private List<RawEntry> wrongTypes(LettuceNodes access, List<String> missing) {
        List<RawEntry> rejects = new ArrayList<>();
        List<RedisFuture<String>> types = new ArrayList<>(missing.size());
        for (String key : missing) {
            types.add(access.commands().type(bytes(key)));
        }
        for (int i = 0; i < missing.size(); i++) {
            String type = access.await(types.get(i));
            String kind = (type != null) ? type.toLowerCase(Locale.ROOT) : "none";
            if (!"none".equals(kind) && !"string".equals(kind)) {
                rejects.add(new RawEntry(missing.get(i), null, "the key holds a Redis " + type + ", not a JSON string"));
            }
        }
        return rejects;
    }

    @Override
    ScannedEntry<R, ID> decode(RawEntry entry) {
        String problem = entry.problem();
        if (problem != null) {
            return ScannedEntry.rejected(entry.redisKey(), idOrNull(entry.redisKey()), null, problem);
        }
        String key = entry.redisKey();
        byte[] value = (byte[]) entry.reply();
        ID id = idOrNull(key);
        if (id == null) {
            return ScannedEntry.rejected(key, null, string(value), "the part of the key after the prefix '"
                    + this.information.getKeyPrefix() + "' cannot be converted to the id type "
                    + this.information.getIdType().getName());
        }
        try {
            // Jackson reads the bytes (faster than text); the text, for the rejects table, is
            // made only if the entry is set aside.
            return ScannedEntry.decodedUtf8(key, id, this.codec.read(key, value), value);
        }
        catch (RedisJsonReadException ex) {
            return ScannedEntry.rejected(key, id, string(value), String.valueOf(ex.getMessage()));
        }
    }

    private @Nullable ID idOrNull(String key) {
        try {
            return this.information.getIdFromKey(key);
        }
        catch (RuntimeException ex) {
            return null;
        }
    }

    @Override
    public String keyOf(ID id) {
        return this.information.getKey(id);
    }

    @Override
    public long size() {
        return -1;
    }

    @Override
    public String describe() {
        return "JSON strings under '" + this.information.getKeyPrefix() + "'";
    }

}
