package dev.dualwrite.core.redis.json;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.DataType;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.core.types.Expiration;
import org.springframework.util.Assert;

/**
 * Key-level Redis access for one {@link RedisJson} entity type: plain string values under
 * {@code keyPrefix + id}.
 * <p>
 * Guarantees: no {@code KEYS}; every enumeration is a {@code SCAN MATCH <escaped prefix>*}
 * whose keys are read with {@code MGET} in batches of at most {@code batchSize}, so values in
 * memory stay bounded while streaming (the keys already seen are remembered, because
 * {@code SCAN} may return a key twice).
 * <p>
 * Under concurrent writers, a multi-key read answers with the keys that exist when their
 * batch is read, each with the value read then: a key that does not exist at that moment
 * (deleted since the {@code SCAN}) is not in the answer, even if it is re-created a moment
 * later. A value that cannot be read (not the entity's JSON, or a key under the prefix that
 * holds another Redis type) is handled by the repository's {@link UnreadableValuePolicy}; a
 * store created with the public constructor fails with a {@link RedisJsonReadException}.
 * Works against a single Redis (or a replica set behind one endpoint); Redis Cluster is not
 * supported, because {@code SCAN} would only see one node.
 * @param <T> the entity type
 * @param <ID> the id type
 */
public class RedisJsonStore<T, ID> {

    /** Keys per {@code SCAN} hint, {@code MGET}, {@code MSET} and {@code UNLINK} unless configured. */
    public static final int DEFAULT_BATCH_SIZE = 500;

    // Compare-and-delete: a derived delete removes a key only if its value is still the one
    // that matched, so a concurrent update in between is never lost.
    private static final byte[] DELETE_IF_UNCHANGED = ("if redis.call('GET', KEYS[1]) == ARGV[1] then "
            + "return redis.call('UNLINK', KEYS[1]) else return 0 end").getBytes(StandardCharsets.UTF_8);

    // One atomic call per batch of saveAll: MSET would drop every key's expiry, and SET can
    // keep it (KEEPTTL) or set a new one per key. ARGV holds (json, px) per key, px as
    // JsonTimeToLive#pxOf answers it.
    private static final byte[] SET_ALL = ("for i, key in ipairs(KEYS) do "
            + "local px = tonumber(ARGV[2 * i]) "
            + "if px > 0 then redis.call('SET', key, ARGV[2 * i - 1], 'PX', px) "
            + "elseif px == 0 then redis.call('SET', key, ARGV[2 * i - 1]) "
            + "else redis.call('SET', key, ARGV[2 * i - 1], 'KEEPTTL') end end "
            + "return #KEYS").getBytes(StandardCharsets.UTF_8);

    // KEYS[1] the sorted set of marks, KEYS[2] the entity's key; ARGV the mark, the JSON, the
    // expiry as saveAll's. The mark goes first: a SET that fails leaves a mark without a write,
    // never a write without its mark.
    private static final RedisScript<Long> SAVE_MARKED = new DefaultRedisScript<>("""
            local t = redis.call('TIME')
            redis.call('ZADD', KEYS[1], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[1])
            local px = tonumber(ARGV[3])
            if px > 0 then redis.call('SET', KEYS[2], ARGV[2], 'PX', px)
            elseif px == 0 then redis.call('SET', KEYS[2], ARGV[2])
            else redis.call('SET', KEYS[2], ARGV[2], 'KEEPTTL') end
            return 1
            """, Long.class);

    private final StringRedisTemplate redis;

    private final RedisJsonEntityInformation<T, ID> information;

    private final RedisJsonCodec<T, ID> codec;

    private final int batchSize;

    private final String pattern;

    private final UnreadableValues unreadableValues;

    private final JsonTimeToLive<T> timeToLive;

    /**
     * Create the store of one entity type whose multi-key reads fail on a value they cannot
     * read ({@link UnreadableValuePolicy#FAIL}).
     * @param redis the Redis connection, with string keys and values
     * @param information ids and keys of the entity type
     * @param codec the entity type's JSON
     * @param batchSize keys per batch; positive
     */
    public RedisJsonStore(StringRedisTemplate redis, RedisJsonEntityInformation<T, ID> information,
            RedisJsonCodec<T, ID> codec, int batchSize) {
        this(redis, information, codec, batchSize, UnreadableValues.failing());
    }

    RedisJsonStore(StringRedisTemplate redis, RedisJsonEntityInformation<T, ID> information,
            RedisJsonCodec<T, ID> codec, int batchSize, UnreadableValues unreadableValues) {
        Assert.notNull(redis, "redis must not be null");
        Assert.notNull(information, "information must not be null");
        Assert.notNull(codec, "codec must not be null");
        Assert.isTrue(batchSize > 0, "batchSize must be positive");
        Assert.notNull(unreadableValues, "unreadableValues must not be null");
        this.redis = redis;
        this.information = information;
        this.codec = codec;
        this.batchSize = batchSize;
        this.pattern = information.getKeyPrefixPattern() + "*";
        this.unreadableValues = unreadableValues;
        this.timeToLive = new JsonTimeToLive<>(codec.entity());
    }

    /** Return the ids and keys of the entity type. */
    public RedisJsonEntityInformation<T, ID> getEntityInformation() {
        return this.information;
    }

    /**
     * Return the Redis connection this store reads and writes (its repository's own, which
     * need not be the application's default), for commands on its keys such as their expiry.
     */
    public StringRedisTemplate getRedisTemplate() {
        return this.redis;
    }

    /** Return the entity type's JSON codec (used by the backfill's and verifier's scans). */
    public RedisJsonCodec<T, ID> getCodec() {
        return this.codec;
    }

    /**
     * Read one entity.
     * @param id the id
     * @return the entity, or empty when the key does not exist
     * @throws RedisJsonReadException when the value cannot be read or the key holds another
     * type, whatever the {@link UnreadableValuePolicy}
     */
    public Optional<T> findById(ID id) {
        String key = this.information.getKey(id);
        String json;
        long pttl = -1;
        try {
            if (this.timeToLive.declared()) {
                // One round trip for the value and its remaining time to live; not atomic, so
                // a key that expires between the two reads answers PTTL -2, below.
                List<Object> answers = this.redis.executePipelined((RedisCallback<Object>) (connection) -> {
                    connection.stringCommands().get(bytes(key));
                    connection.keyCommands().pTtl(bytes(key));
                    return null;
                });
                json = (String) answers.get(0);
                pttl = ((Number) answers.get(1)).longValue();
            }
            else {
                json = this.redis.opsForValue().get(key);
            }
        }
        catch (DataAccessException ex) {
            // WRONGTYPE, most likely: say which type the key holds, or pass the failure on
            // (the key may have been replaced by a string since).
            List<RedisJsonReadException> wrongType = ofAnotherType(List.of(key));
            if (!wrongType.isEmpty()) {
                throw wrongType.get(0);
            }
            throw ex;
        }
        // GET answers nil only for a missing key: one of another type is an error. A key gone by
        // the PTTL (-2) expired just after its GET: it is not found, as it would be a moment later.
        // Read as "no expiry" instead, a save of the entity back would re-create it forever.
        if (json == null || pttl == -2) {
            return Optional.empty();
        }
        return Optional.of(this.timeToLive.withRemaining(this.codec.read(key, json), pttl));
    }

    /**
     * Read the entities of some ids with {@code MGET} in batches.
     * @param ids the ids; duplicates are read once
     * @return the entries of the ids that exist, in the order of {@code ids}, without the
     * values left out by the {@link UnreadableValuePolicy}
     */
    public List<RedisJsonEntry<T>> findAllById(Collection<? extends ID> ids) {
        return read(keysOf(ids));
    }

    /**
     * Tell whether the key of an id exists ({@code EXISTS}).
     * @param id the id
     * @return whether it exists
     */
    public boolean existsById(ID id) {
        return Boolean.TRUE.equals(this.redis.hasKey(this.information.getKey(id)));
    }

    /**
     * Write one entity ({@code SET}). The key keeps its current expiry ({@code KEEPTTL}),
     * unless the entity's {@link org.springframework.data.redis.core.TimeToLive} property
     * says otherwise: a positive value sets a new expiry, zero or less removes it.
     * @param entity the entity, with an id
     */
    public void save(T entity) {
        String key = this.information.getRequiredKey(entity);
        String json = this.codec.write(entity);
        long px = this.timeToLive.pxOf(entity);
        Expiration expiration = (px > 0) ? Expiration.milliseconds(px)
                : (px == JsonTimeToLive.PERSIST) ? Expiration.persistent() : Expiration.keepTtl();
        this.redis.execute((RedisCallback<Object>) (connection) -> connection.stringCommands()
            .set(bytes(key), bytes(json), expiration, SetOption.upsert()));
    }

    /**
     * Write one entity as {@link #save} does and, in the same atomic script (one round trip),
     * add {@code mark} to the sorted set {@code marksKey}, scored with Redis's clock in
     * milliseconds: a mark that exists whenever the write does, such as the write intent of a
     * dual write. Only where {@link #canMarkIn} says so: both keys must live on one Redis.
     * @param entity the entity, with an id
     * @param json the entity's JSON, as {@link RedisJsonCodec#write} gives it
     * @param marksKey the sorted set of marks
     * @param mark the member to add
     */
    public void saveMarked(T entity, String json, String marksKey, String mark) {
        String key = this.information.getRequiredKey(entity);
        this.redis.execute(SAVE_MARKED, List.of(marksKey, key), mark, json,
                Long.toString(this.timeToLive.pxOf(entity)));
    }

    /**
     * Return whether {@link #saveMarked} can keep its marks through {@code marks}: the same
     * connection factory as this store's, to a Redis that is not a cluster (where the two keys
     * of one script would have to share a hash slot).
     * @param marks the template the marks are otherwise written and read through
     * @return whether marks and values can be written in one script
     */
    public boolean canMarkIn(StringRedisTemplate marks) {
        RedisConnectionFactory factory = this.redis.getConnectionFactory();
        return factory != null && factory == marks.getConnectionFactory()
                && factory instanceof LettuceConnectionFactory lettuce && !lettuce.isClusterAware();
    }

    /**
     * Return the expiry a {@link #save} of this entity gives its key.
     * @param entity the entity
     * @return empty when the key keeps its current expiry, {@link Duration#ZERO} when the save
     * removes it, otherwise the time to live from now
     */
    public Optional<Duration> expiryOnSave(T entity) {
        long px = this.timeToLive.pxOf(entity);
        return (px == JsonTimeToLive.KEEP) ? Optional.empty() : Optional.of(Duration.ofMillis(px));
    }

    /**
     * Return the entity with its {@link org.springframework.data.redis.core.TimeToLive}
     * property, if its type declares one, set to a time left (rounded up to the property's
     * unit), so that a {@link #save} gives the key that expiry.
     * @param entity the entity
     * @param remaining the time left
     * @return the entity, a new instance for an immutable type
     */
    public T withTimeToLive(T entity, Duration remaining) {
        return this.timeToLive.withRemaining(entity, Math.max(1, remaining.toMillis()));
    }

    /**
     * Write entities with one atomic Lua call of {@code SET}s per batch, each key's expiry
     * treated as {@link #save} treats it. Every entity is encoded before the first write, so
     * an entity without an id or that cannot be written fails the call before Redis is
     * touched; each batch is atomic, the whole call is not.
     * @param entities the entities, each with an id; for a repeated id the last one wins
     */
    public void saveAll(Collection<? extends T> entities) {
        Map<String, String[]> values = new LinkedHashMap<>();
        for (T entity : entities) {
            String key = this.information.getRequiredKey(entity);
            // Remove first so that a repeated id takes the position of its last occurrence.
            values.remove(key);
            values.put(key, new String[] { this.codec.write(entity), Long.toString(this.timeToLive.pxOf(entity)) });
        }
        List<String> keys = new ArrayList<>(values.keySet());
        for (List<String> batch : batches(keys)) {
            byte[][] keysAndArgs = new byte[batch.size() * 3][];
            for (int i = 0; i < batch.size(); i++) {
                String[] value = values.get(batch.get(i));
                keysAndArgs[i] = bytes(batch.get(i));
                keysAndArgs[batch.size() + 2 * i] = bytes(value[0]);
                keysAndArgs[batch.size() + 2 * i + 1] = bytes(value[1]);
            }
            this.redis.execute((RedisCallback<Object>) (connection) -> connection.scriptingCommands()
                .eval(SET_ALL, ReturnType.INTEGER, batch.size(), keysAndArgs));
        }
    }

    /**
     * Delete the key of an id ({@code UNLINK}); a missing key is fine.
     * @param id the id
     */
    public void deleteById(ID id) {
        this.redis.unlink(this.information.getKey(id));
    }

    /**
     * Delete the keys of some ids, one {@code UNLINK} per batch; missing keys are fine.
     * @param ids the ids
     */
    public void deleteAllById(Collection<? extends ID> ids) {
        for (List<String> batch : batches(keysOf(ids))) {
            this.redis.unlink(batch);
        }
    }

    /**
     * Delete every key under the prefix, one {@code UNLINK} per scanned batch.
     * @return how many keys were deleted
     */
    public long deleteAll() {
        long[] deleted = { 0 };
        forEachKeyBatch((batch) -> {
            Long removed = this.redis.unlink(batch);
            deleted[0] += (removed != null) ? removed : 0;
        });
        return deleted[0];
    }

    /**
     * Delete entries only where the key still holds the JSON they were read from (a Lua
     * compare-and-delete per key, pipelined per batch), so a value updated since it was read
     * survives.
     * @param entries entries as read by this store
     * @return the entries whose keys were deleted
     */
    public List<RedisJsonEntry<T>> deleteIfUnchanged(List<RedisJsonEntry<T>> entries) {
        List<RedisJsonEntry<T>> deleted = new ArrayList<>(entries.size());
        for (List<RedisJsonEntry<T>> batch : batches(entries)) {
            List<Object> results = this.redis.executePipelined((RedisCallback<Object>) (connection) -> {
                for (RedisJsonEntry<T> entry : batch) {
                    connection.scriptingCommands()
                        .eval(DELETE_IF_UNCHANGED, ReturnType.INTEGER, 1, bytes(entry.key()), bytes(entry.json()));
                }
                return null;
            });
            for (int i = 0; i < batch.size(); i++) {
                if (results.get(i) instanceof Number removed && removed.longValue() > 0) {
                    deleted.add(batch.get(i));
                }
            }
        }
        return deleted;
    }

    /**
     * Count the keys under the prefix with {@code SCAN}, without reading values.
     * @return the number of distinct keys seen
     */
    public long count() {
        long[] count = { 0 };
        forEachKeyBatch((batch) -> count[0] += batch.size());
        return count[0];
    }

    /**
     * Return every key under the prefix, each once, with {@code SCAN}.
     * @return the keys, in no particular order
     */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        forEachKeyBatch(keys::addAll);
        return keys;
    }

    /**
     * Read keys with one {@code MGET} per batch.
     * @param keys keys under the prefix
     * @return the entries of the keys that exist, in the order of {@code keys}, without the
     * values left out by the {@link UnreadableValuePolicy}
     * @throws RedisJsonReadException when a value cannot be read or a key holds another type,
     * under {@link UnreadableValuePolicy#FAIL}
     */
    public List<RedisJsonEntry<T>> read(List<String> keys) {
        List<RedisJsonEntry<T>> entries = new ArrayList<>(keys.size());
        for (List<String> batch : batches(keys)) {
            entries.addAll(readBatch(batch));
        }
        return entries;
    }

    private List<RedisJsonEntry<T>> readBatch(List<String> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        List<@Nullable String> values = this.redis.opsForValue().multiGet(keys);
        Assert.state(values != null && values.size() == keys.size(), "MGET must answer one value per key");
        List<RedisJsonEntry<T>> entries = new ArrayList<>(keys.size());
        List<String> missing = new ArrayList<>();
        List<Object> pttls = remainingTimesToLive(keys);
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            String json = values.get(i);
            if (json == null) {
                missing.add(key);
                continue;
            }
            long pttl = pttls.isEmpty() ? -1 : ((Number) pttls.get(i)).longValue();
            if (pttl == -2) {
                // Expired between the MGET and its PTTL: gone, as for findById.
                continue;
            }
            try {
                T entity = this.codec.read(key, json);
                if (!pttls.isEmpty()) {
                    entity = this.timeToLive.withRemaining(entity, pttl);
                }
                entries.add(new RedisJsonEntry<>(key, entity, json));
            }
            catch (RedisJsonReadException ex) {
                this.unreadableValues.skipOrThrow(ex);
            }
        }
        ofAnotherType(missing).forEach(this.unreadableValues::skipOrThrow);
        return entries;
    }

    // Only for a type with a @TimeToLive property: one pipelined PTTL per key, in one round
    // trip after the MGET. Not atomic with it: a key that expires in between answers -2 and
    // is left out of the read (never read as a key without expiry).
    private List<Object> remainingTimesToLive(List<String> keys) {
        if (!this.timeToLive.declared()) {
            return List.of();
        }
        return this.redis.executePipelined((RedisCallback<Object>) (connection) -> {
            // Every key, found or not, so that the answers stay aligned with the keys.
            keys.forEach((key) -> connection.keyCommands().pTtl(bytes(key)));
            return null;
        });
    }

    // MGET answers nil both for a missing key and for one of another type; only the second is
    // bad data. One pipelined TYPE per key, in one round trip. A key that is a string by now
    // did not exist when MGET read it (deleted, then re-created since): like a key that is
    // still missing, it is simply not part of this read.
    private List<RedisJsonReadException> ofAnotherType(List<String> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        List<Object> types = this.redis.executePipelined((RedisCallback<Object>) (connection) -> {
            keys.forEach((key) -> connection.keyCommands().type(bytes(key)));
            return null;
        });
        List<RedisJsonReadException> failures = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            if (types.get(i) instanceof DataType type && type != DataType.NONE && type != DataType.STRING) {
                failures.add(new RedisJsonReadException(keys.get(i), this.information.getJavaType(),
                        "the key holds a Redis " + type.code() + ", where a JSON entity is stored as a Redis string"));
            }
        }
        return failures;
    }

    /**
     * Stream every entity under the prefix: {@code SCAN}, then {@code MGET} per batch, lazily.
     * The stream holds a Redis connection until it is exhausted or closed; close it (for
     * example with try-with-resources).
     * @return the entries, in no particular order, each key once, without the values left out
     * by the {@link UnreadableValuePolicy}
     * @throws RedisJsonReadException while streaming, when a value cannot be read, under
     * {@link UnreadableValuePolicy#FAIL}
     */
    public Stream<RedisJsonEntry<T>> stream() {
        Cursor<String> cursor = scan();
        return StreamSupport.stream(new EntrySpliterator(cursor), false).onClose(cursor::close);
    }

    private void forEachKeyBatch(Consumer<List<String>> action) {
        try (Cursor<String> cursor = scan()) {
            DistinctKeys keys = new DistinctKeys(cursor);
            for (List<String> batch = keys.next(); !batch.isEmpty(); batch = keys.next()) {
                action.accept(batch);
            }
        }
    }

    private Cursor<String> scan() {
        return this.redis.scan(ScanOptions.scanOptions().match(this.pattern).count(this.batchSize).build());
    }

    private List<String> keysOf(Collection<? extends ID> ids) {
        Set<String> keys = new LinkedHashSet<>();
        for (ID id : ids) {
            keys.add(this.information.getKey(id));
        }
        return new ArrayList<>(keys);
    }

    private <E> List<List<E>> batches(List<E> all) {
        List<List<E>> batches = new ArrayList<>();
        for (int from = 0; from < all.size(); from += this.batchSize) {
            batches.add(all.subList(from, Math.min(all.size(), from + this.batchSize)));
        }
        return batches;
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    /** Takes batches of keys from a cursor, each key once. */
    private final class DistinctKeys {

        private final Cursor<String> cursor;

        // SCAN may return a key more than once (when the table is resized meanwhile).
        private final Set<String> seen = new HashSet<>();

        DistinctKeys(Cursor<String> cursor) {
            this.cursor = cursor;
        }

        /** Return the next batch, empty when the scan is complete. */
        List<String> next() {
            List<String> batch = new ArrayList<>(RedisJsonStore.this.batchSize);
            while (batch.size() < RedisJsonStore.this.batchSize && this.cursor.hasNext()) {
                String key = this.cursor.next();
                if (this.seen.add(key)) {
                    batch.add(key);
                }
            }
            return batch;
        }

    }

    /** Reads one batch of scanned keys at a time, when the stream asks for more. */
    private final class EntrySpliterator extends Spliterators.AbstractSpliterator<RedisJsonEntry<T>> {

        private final Cursor<String> cursor;

        private final DistinctKeys keys;

        private Iterator<RedisJsonEntry<T>> current = Collections.emptyIterator();

        EntrySpliterator(Cursor<String> cursor) {
            super(Long.MAX_VALUE, Spliterator.NONNULL | Spliterator.DISTINCT);
            this.cursor = cursor;
            this.keys = new DistinctKeys(cursor);
        }

        @Override
        public boolean tryAdvance(Consumer<? super RedisJsonEntry<T>> action) {
            while (!this.current.hasNext()) {
                List<String> batch = this.keys.next();
                if (batch.isEmpty()) {
                    // Give the connection back as soon as the scan is done, even if the caller
                    // forgets to close the stream.
                    this.cursor.close();
                    return false;
                }
                this.current = readBatch(batch).iterator();
            }
            action.accept(this.current.next());
            return true;
        }

    }

}
