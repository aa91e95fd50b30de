package dev.dualwrite.core.redis.scan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dualwrite.core.store.scan.RawEntry;
import dev.dualwrite.core.store.scan.ScanSettings;
import dev.dualwrite.core.store.scan.ScannedEntry;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ValueScanCursor;
import org.jspecify.annotations.Nullable;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.convert.RedisConverter;
import org.springframework.data.redis.core.convert.RedisData;
import org.springframework.util.Assert;

/**
 * Scans the entities of one Spring Data Redis {@code @RedisHash} type: {@code SSCAN} of the
 * keyspace set (which Spring Data keeps with every id), then pipelined {@code HGETALL} of
 * {@code <keyspace>:<id>}, decoded with the application's own {@link RedisConverter} (custom
 * conversions included). A hash that does not map to the entity, or a key of another type,
 * is a reject; an id whose hash is gone (deleted or expired since) is skipped.
 * @param <R> the entity type
 * @param <ID> the id type
 */
public final class RedisHashScanner<R, ID> extends AbstractEntityScanner<R, ID> {

    private static final String SET_NODE = "keyspace";

    private final RedisConverter converter;

    private final Class<R> entityType;

    private final Class<ID> idType;

    private final String keyspace;

    /**
     * @param connectionFactory the application's Redis connections (Lettuce)
     * @param converter the converter of the Redis repositories (e.g. the
     * {@code RedisKeyValueAdapter}'s)
     * @param entityType the {@code @RedisHash} type
     * @param idType its id type
     */
    public RedisHashScanner(RedisConnectionFactory connectionFactory, RedisConverter converter, Class<R> entityType,
            Class<ID> idType) {
        super(connectionFactory);
        Assert.notNull(converter, "converter must not be null");
        Assert.notNull(entityType, "entityType must not be null");
        Assert.notNull(idType, "idType must not be null");
        this.converter = converter;
        this.entityType = entityType;
        this.idType = idType;
        String keyspace = converter.getMappingContext().getRequiredPersistentEntity(entityType).getKeySpace();
        Assert.state(keyspace != null, () -> entityType.getName() + " has no Redis keyspace");
        this.keyspace = keyspace;
    }

    @Override
    List<String> nodes(LettuceNodes access) {
        // One set, on whichever node owns its slot: its SSCAN cursor is the whole position.
        return List.of(SET_NODE);
    }

    @Override
    Step scan(LettuceNodes access, String node, String cursor, ScanSettings settings) {
        ScanArgs args = LettuceScans.args(settings, settings.idPattern());
        ValueScanCursor<byte[]> result = access
            .await(access.commands().sscan(bytes(this.keyspace), ScanCursor.of(cursor), args));
        List<String> keys = new ArrayList<>(result.getValues().size());
        result.getValues().forEach((member) -> keys.add(this.keyspace + ":" + string(member)));
        return new Step(keys, result.isFinished() ? "0" : result.getCursor());
    }

    @Override
    List<RawEntry> read(LettuceNodes access, List<String> keys, ScanSettings settings) {
        List<RawEntry> entries = new ArrayList<>(keys.size());
        for (int from = 0; from < keys.size(); from += settings.pipelineDepth()) {
            List<String> window = keys.subList(from, Math.min(keys.size(), from + settings.pipelineDepth()));
            List<RedisFuture<Map<byte[], byte[]>>> replies = new ArrayList<>(window.size());
            for (String key : window) {
                replies.add(access.commands().hgetall(bytes(key)));
            }
            for (int i = 0; i < window.size(); i++) {
                String key = window.get(i);
                LettuceNodes.Reply<Map<byte[], byte[]>> reply = access.awaitReply(replies.get(i));
                if (reply.error() != null) {
                    entries.add(new RawEntry(key, null,
                            "the key does not hold a Redis hash (" + firstWord(reply.error()) + ")"));
                }
                else if (reply.value() != null && !reply.value().isEmpty()) {
                    entries.add(new RawEntry(key, reply.value(), null));
                }
            }
        }
        return entries;
    }

    @Override
    @SuppressWarnings("unchecked")
    ScannedEntry<R, ID> decode(RawEntry entry) {
        String problem = entry.problem();
        if (problem != null) {
            return ScannedEntry.rejected(entry.redisKey(), idOrNull(idPart(entry.redisKey())), null, problem);
        }
        return decode(entry.redisKey(), (Map<byte[], byte[]>) entry.reply());
    }

    private ScannedEntry<R, ID> decode(String key, Map<byte[], byte[]> hash) {
        String raw = render(hash);
        String idPart = idPart(key);
        ID id = idOrNull(idPart);
        if (id == null) {
            return ScannedEntry.rejected(key, null, raw, "the id '" + idPart + "' cannot be converted to "
                    + this.idType.getName());
        }
        try {
            RedisData data = new RedisData(hash);
            data.setId(idPart);
            data.setKeyspace(this.keyspace);
            R entity = this.converter.read(this.entityType, data);
            if (entity == null) {
                return ScannedEntry.rejected(key, id, raw, "the hash decodes to nothing");
            }
            return ScannedEntry.decoded(key, id, entity, raw);
        }
        catch (RuntimeException ex) {
            // Conversion messages quote values, which may be personal data: name the kind only.
            return ScannedEntry.rejected(key, id, raw, "the hash does not map to " + this.entityType.getName() + " ("
                    + NestedExceptionUtils.getMostSpecificCause(ex).getClass().getSimpleName() + ")");
        }
    }

    private String idPart(String key) {
        return key.substring(this.keyspace.length() + 1);
    }

    private @Nullable ID idOrNull(String idPart) {
        try {
            return this.converter.getConversionService().convert(idPart, this.idType);
        }
        catch (RuntimeException ex) {
            return null;
        }
    }

    @Override
    public String keyOf(ID id) {
        String suffix = this.converter.getConversionService().convert(id, String.class);
        return this.keyspace + ":" + suffix;
    }

    @Override
    public long size() {
        return withAccess((access) -> {
            Long size = access.await(access.commands().scard(bytes(this.keyspace)));
            return (size != null) ? size : 0L;
        });
    }

    @Override
    public String describe() {
        return "@RedisHash keyspace '" + this.keyspace + "'";
    }

    private static String render(Map<byte[], byte[]> hash) {
        Map<String, String> fields = new LinkedHashMap<>();
        hash.forEach((field, value) -> fields.put(string(field), string(value)));
        StringBuilder text = new StringBuilder();
        fields.forEach((field, value) -> text.append(field).append('=').append(value).append('\n'));
        return text.toString();
    }

    private static String firstWord(String message) {
        int space = message.indexOf(' ');
        return (space > 0) ? message.substring(0, space) : message;
    }

}
