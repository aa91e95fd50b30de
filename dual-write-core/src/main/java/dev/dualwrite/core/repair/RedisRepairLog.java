package dev.dualwrite.core.repair;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import dev.dualwrite.core.redis.json.RedisJsonStore;
import dev.dualwrite.core.strategy.Store;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.util.Assert;

/**
 * An {@link OldStoreRepairLog} kept in Redis, for keys whose PostgreSQL copy may be behind (stage
 * {@code DUAL}, where Redis is the primary and is up whenever a write succeeded).
 * <p>
 * One hash per repository, {@code dualwrite:repair:{<repository>}}, field = key, value =
 * the record as JSON. The names here are the default ones: {@link RedisRepairKeys} puts them
 * under a prefix of the application's choosing instead of {@code dualwrite:}. The hash tag
 * keeps a repository's records on one cluster slot.
 * <p>
 * Reconciler claims live beside the records, in {@code dualwrite:repair:{<repository>}:claims}
 * (same slot), field = key, value = owner, lease end and repair failures as JSON; claiming,
 * completing and releasing are each one Lua script, so they are atomic with respect to
 * {@link #recordFailure} and to other instances.
 * <p>
 * Write intents close the window between the two writes of {@code DUAL}: before the Redis
 * write, the writer adds one member per write to the sorted set
 * {@code dualwrite:intent:{<repository>}} (same slot; member = a token unique to the write
 * and the key, score = Redis's {@code TIME} in epoch millis, so writers' clocks play no part)
 * and removes exactly that member once the PostgreSQL copy has run or its failure has been
 * recorded here. A member older than the interrupted-write grace belongs to a write whose
 * process died in between (or was stopped): {@link #claim} first turns such members into
 * ordinary records, one script per batch, so the reconciler copies their keys. All of a
 * repository's intents share one cluster slot: a {@code DUAL} write costs that shard two
 * more commands. One member per write rather than one per key: with one per key, a
 * writer finishing its copy would clear the intent of a concurrent writer of the same key
 * whose Redis write is not yet copied.
 */
public class RedisRepairLog implements OldStoreRepairLog {

    // Read-modify-write in one script so that concurrent failures of one key keep the first
    // time and count every attempt.
    private static final RedisScript<Long> RECORD = new DefaultRedisScript<>("""
            local old = redis.call('HGET', KEYS[1], ARGV[1])
            local first, attempts = ARGV[4], 1
            if old then
              local rec = cjson.decode(old)
              first, attempts = rec.firstRecordedAt, rec.attempts + 1
            end
            redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({target = ARGV[2], reason = ARGV[3],
              firstRecordedAt = first, lastRecordedAt = ARGV[4], attempts = attempts}))
            return attempts
            """, Long.class);

    // KEYS[1] the intents, KEYS[2] the entity's key; ARGV[1] the intent, ARGV[2] the value the
    // write left, ARGV[3] '1' when it left the key absent. 1 when the intent was removed.
    private static final RedisScript<Long> CLOSE_INTENT_IF_HOLDING = new DefaultRedisScript<>("""
            local current = redis.call('GET', KEYS[2])
            if (ARGV[3] == '1' and not current) or (ARGV[3] ~= '1' and current == ARGV[2]) then
              redis.call('ZREM', KEYS[1], ARGV[1])
              return 1
            end
            return 0
            """, Long.class);

    // RECORD's read-modify-write keeping the reason of a record the key has (a failure says
    // more than a precaution), then the intent's removal: one round trip, one slot.
    private static final RedisScript<Long> RECORD_AND_CLOSE_INTENT = new DefaultRedisScript<>("""
            local old = redis.call('HGET', KEYS[1], ARGV[1])
            local reason, first, attempts = ARGV[3], ARGV[4], 1
            if old then
              local rec = cjson.decode(old)
              reason, first, attempts = rec.reason, rec.firstRecordedAt, rec.attempts + 1
            end
            redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({target = ARGV[2], reason = reason,
              firstRecordedAt = first, lastRecordedAt = ARGV[4], attempts = attempts}))
            redis.call('ZREM', KEYS[2], ARGV[5])
            return attempts
            """, Long.class);

    // Claims only keys that have a record and no live claim (a lapsed lease or an expired
    // backoff is no claim). Answers field, record value, repair failures per claimed key.
    private static final RedisScript<List> CLAIM = new DefaultRedisScript<>("""
            local out = {}
            local now = tonumber(ARGV[2])
            for i = 4, #ARGV do
              local field = ARGV[i]
              local value = redis.call('HGET', KEYS[1], field)
              if value then
                local failures, free = 0, true
                local claim = redis.call('HGET', KEYS[2], field)
                if claim then
                  local c = cjson.decode(claim)
                  failures = c.failures
                  if tonumber(c.expires) > now then free = false end
                end
                if free then
                  redis.call('HSET', KEYS[2], field, cjson.encode({owner = ARGV[1],
                    expires = string.format('%d', now + tonumber(ARGV[3])), failures = failures}))
                  out[#out + 1] = field
                  out[#out + 1] = value
                  out[#out + 1] = tostring(failures)
                end
              end
            end
            return out
            """, List.class);

    // Compare-and-delete: the record goes only if it is still the value that was claimed;
    // recordFailure always changes the value (attempts + 1), so a key recorded again stays.
    private static final RedisScript<Long> COMPLETE = new DefaultRedisScript<>("""
            local removed = 0
            if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
              redis.call('HDEL', KEYS[1], ARGV[1])
              removed = 1
            end
            local claim = redis.call('HGET', KEYS[2], ARGV[1])
            if claim and cjson.decode(claim).owner == ARGV[3] then
              redis.call('HDEL', KEYS[2], ARGV[1])
            end
            if redis.call('HLEN', KEYS[1]) == 0 then
              redis.call('DEL', KEYS[2])
            end
            return removed
            """, Long.class);

    private static final RedisScript<Long> RELEASE = new DefaultRedisScript<>("""
            local claim = redis.call('HGET', KEYS[2], ARGV[1])
            if claim then
              local c = cjson.decode(claim)
              if c.owner == ARGV[2] then
                redis.call('HSET', KEYS[2], ARGV[1], cjson.encode({owner = '', expires = ARGV[3],
                  failures = c.failures + 1}))
                return 1
              end
            end
            return 0
            """, Long.class);

    // Scores are Redis's clock (TIME), never a writer's: intents of writers on different hosts,
    // and the cutoff of the reconciler that promotes them, compare on one clock. Milliseconds
    // fit a Lua number (a double) exactly.
    private static final String NOW_MILLIS = """
            local function now_millis()
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            """;

    private static final RedisScript<Long> OPEN_INTENT = new DefaultRedisScript<>(NOW_MILLIS + """
            local now = now_millis()
            redis.call('ZADD', KEYS[1], now, ARGV[1])
            return now
            """, Long.class);

    // Records plus intents older than ARGV[1] millis by Redis's clock.
    private static final RedisScript<Long> BACKLOG = new DefaultRedisScript<>(NOW_MILLIS + """
            local cutoff = now_millis() - tonumber(ARGV[1])
            return redis.call('HLEN', KEYS[2]) + redis.call('ZCOUNT', KEYS[1], '-inf', cutoff)
            """, Long.class);

    // The score of the oldest intent older than ARGV[1] millis by Redis's clock, or false.
    private static final RedisScript<String> OLDEST_INTERRUPTED = new DefaultRedisScript<>(NOW_MILLIS + """
            local cutoff = now_millis() - tonumber(ARGV[1])
            local first = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff, 'WITHSCORES', 'LIMIT', 0, 1)
            if #first == 0 then return false end
            return first[2]
            """, String.class);

    // One batch: the intents older than the grace (ARGV[1] millis, by Redis's clock) become
    // records, ARGV[2] at most, in the one script that picks them, so an intent removed by its
    // finishing write is never promoted. A key that already has a record keeps its times and
    // counts one more attempt, so a claim of that record taken before will not remove it on
    // completion. Answers {promoted, picked}; picked = ARGV[2] means there may be more.
    private static final RedisScript<List> PROMOTE = new DefaultRedisScript<>(NOW_MILLIS + """
            local function iso(ms)
              -- Days to civil date (H. Hinnant's algorithm); Redis's Lua has no os.date.
              local s = math.floor(ms / 1000)
              local z = math.floor(s / 86400)
              local secs = s - z * 86400
              z = z + 719468
              local era = math.floor(z / 146097)
              local doe = z - era * 146097
              local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524)
                - math.floor(doe / 146096)) / 365)
              local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
              local mp = math.floor((5 * doy + 2) / 153)
              local d = doy - math.floor((153 * mp + 2) / 5) + 1
              local m = (mp < 10) and (mp + 3) or (mp - 9)
              local y = yoe + era * 400
              if m <= 2 then y = y + 1 end
              return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', y, m, d, math.floor(secs / 3600),
                math.floor((secs % 3600) / 60), secs % 60, ms % 1000)
            end
            local cutoff = now_millis() - tonumber(ARGV[1])
            local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
            local promoted = 0
            for i = 1, #old, 2 do
              local member = old[i]
              local at = iso(tonumber(old[i + 1]))
              local key = string.sub(member, string.find(member, '|', 1, true) + 1)
              redis.call('ZREM', KEYS[1], member)
              local first, last, attempts = at, at, 1
              local rec = redis.call('HGET', KEYS[2], key)
              if rec then
                local r = cjson.decode(rec)
                first, last, attempts = r.firstRecordedAt, r.lastRecordedAt, r.attempts + 1
              end
              redis.call('HSET', KEYS[2], key, cjson.encode({target = 'POSTGRES',
                reason = 'write interrupted before PostgreSQL was written (intent from ' .. at .. ')',
                firstRecordedAt = first, lastRecordedAt = last, attempts = attempts}))
              promoted = promoted + 1
            end
            return {promoted, #old / 2}
            """, List.class);

    /**
     * Default of the interrupted-write grace: intents older than this are taken for writes
     * whose process died between the Redis write and the PostgreSQL copy.
     */
    public static final Duration DEFAULT_INTERRUPTED_WRITE_GRACE = Duration.ofSeconds(20);

    /**
     * Default of the in-flight grace: intents younger than this are writes in flight, not
     * yet counted by {@link #pendingCount}.
     */
    public static final Duration DEFAULT_IN_FLIGHT_GRACE = Duration.ofSeconds(10);

    private static final int PROMOTE_BATCH = 500;

    private static final char TOKEN_END = '|';

    private final StringRedisTemplate redis;

    private final Duration interruptedWriteGrace;

    private final Duration inFlightGrace;

    // Unique to this log instance (so to the process in practice) and to each write.
    private final String tokenPrefix = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);

    private final AtomicLong tokens = new AtomicLong();

    private final JsonMapper json = JsonMapper.builder().build();

    private final RedisRepairKeys keys;

    private final Clock clock;

    /**
     * Create a log whose graces are {@link #DEFAULT_INTERRUPTED_WRITE_GRACE} and
     * {@link #DEFAULT_IN_FLIGHT_GRACE}.
     * @param redis the Redis the records are kept in
     */
    public RedisRepairLog(StringRedisTemplate redis) {
        this(redis, DEFAULT_INTERRUPTED_WRITE_GRACE);
    }

    /**
     * @param redis the Redis the records are kept in
     * @param interruptedWriteGrace age from which a write intent that was not cleared is taken
     * for an interrupted write and turned into a record; must exceed the longest a live write
     * can take between its intent and its PostgreSQL copy (the Redis command timeout plus the
     * secondary time limit): a live write whose intent is promoted, whose key is repaired
     * from the state before its Redis write and whose process then dies before its own copy
     * leaves PostgreSQL behind with nothing recording it
     */
    public RedisRepairLog(StringRedisTemplate redis, Duration interruptedWriteGrace) {
        this(redis, interruptedWriteGrace, DEFAULT_IN_FLIGHT_GRACE);
    }

    /**
     * @param redis the Redis the records are kept in
     * @param interruptedWriteGrace as for {@link #RedisRepairLog(StringRedisTemplate, Duration)}
     * @param inFlightGrace age from which {@link #pendingCount} counts an intent: the control
     * plane's in-flight grace, so that every count of the backlog (health, metrics, endpoint,
     * verification report) is the one the stage gates use
     */
    public RedisRepairLog(StringRedisTemplate redis, Duration interruptedWriteGrace, Duration inFlightGrace) {
        this(redis, interruptedWriteGrace, inFlightGrace, RedisRepairKeys.DEFAULT);
    }

    /**
     * @param redis the Redis the records are kept in
     * @param interruptedWriteGrace as for {@link #RedisRepairLog(StringRedisTemplate, Duration)}
     * @param inFlightGrace as for {@link #RedisRepairLog(StringRedisTemplate, Duration, Duration)}
     * @param keys the names of the keys the records, claims and intents are kept under
     */
    public RedisRepairLog(StringRedisTemplate redis, Duration interruptedWriteGrace, Duration inFlightGrace,
            RedisRepairKeys keys) {
        this(redis, interruptedWriteGrace, inFlightGrace, keys, Clock.systemUTC());
    }

    RedisRepairLog(StringRedisTemplate redis, Duration interruptedWriteGrace, Duration inFlightGrace,
            RedisRepairKeys keys, Clock clock) {
        Assert.notNull(redis, "redis must not be null");
        Assert.notNull(keys, "keys must not be null");
        Assert.isTrue(interruptedWriteGrace != null && !interruptedWriteGrace.isNegative()
                && !interruptedWriteGrace.isZero(), "interruptedWriteGrace must be positive");
        Assert.isTrue(inFlightGrace != null && !inFlightGrace.isNegative(), "inFlightGrace must not be negative");
        this.redis = redis;
        this.interruptedWriteGrace = interruptedWriteGrace;
        this.inFlightGrace = inFlightGrace;
        this.keys = keys;
        this.clock = clock;
    }

    /**
     * Return the age from which an intent is taken for an interrupted write.
     * @return the interrupted-write grace this log was built with
     */
    public Duration interruptedWriteGrace() {
        return this.interruptedWriteGrace;
    }

    /**
     * Return the names of the keys this log keeps its records, claims and intents under.
     * @return the keys
     */
    public RedisRepairKeys keys() {
        return this.keys;
    }

    /**
     * Record, before a write with Redis as primary, that the key's PostgreSQL copy is about to
     * be owed. The intent is durable as soon as this returns; until {@link #closeIntent} removes
     * it, it turns into a repair record once older than the interrupted-write grace. One
     * round trip: a script adds the member with Redis's own time as its score, so intents of
     * writers on hosts with skewed clocks age alike.
     * @param repository the repository name
     * @param key the entity key
     * @return the intent's member, unique to this write, to pass to {@link #closeIntent}
     */
    @Override
    public String openIntent(String repository, String key) {
        String member = newIntent(key);
        this.redis.execute(OPEN_INTENT, List.of(this.keys.intents(repository)), member);
        return member;
    }

    /**
     * Return whether a JSON repository's store keeps its values in this log's Redis, on one
     * node (not a cluster: {@link RedisJsonStore#canMarkIn}), so that a value and an intent can
     * be read and written in one script ({@link #saveOpeningIntent},
     * {@link #closeIntentIfHolding}).
     * @param store the repository's store
     * @return whether its values and the intents share one Redis node
     */
    public boolean sharesNodeWith(RedisJsonStore<?, ?> store) {
        return store.canMarkIn(this.redis);
    }

    /**
     * Save an entity of a JSON repository and open the write's intent in one atomic script,
     * one round trip: the intent exists whenever the write does, as with {@link #openIntent}
     * before the save. Only for a store this log {@link #sharesNodeWith}.
     * @param repository the repository name
     * @param key the entity key
     * @param store the repository's store
     * @param json the entity's JSON, as {@link RedisJsonStore#saveMarked} writes it
     * @param entity the entity, with its id
     * @param <T> the entity type
     * @return the intent's member, to pass to {@link #closeIntent}
     */
    public <T> String saveOpeningIntent(String repository, String key, RedisJsonStore<T, ?> store, String json,
            T entity) {
        Assert.isTrue(sharesNodeWith(store), "store must keep its values in this log's Redis, not a cluster");
        String member = newIntent(key);
        store.saveMarked(entity, json, this.keys.intents(repository), member);
        return member;
    }

    private String newIntent(String key) {
        return this.tokenPrefix + "." + Long.toString(this.tokens.incrementAndGet(), 36) + TOKEN_END + key;
    }

    /**
     * Remove one write's intent, once its PostgreSQL copy has run or its failure has been
     * recorded; intents of other writes of the same key stay.
     * @param repository the repository name
     * @param member what {@link #openIntent} returned
     */
    @Override
    public void closeIntent(String repository, String member) {
        this.redis.opsForZSet().remove(this.keys.intents(repository), member);
    }

    /**
     * Remove one write's intent if the key still holds what the write left there, in one
     * script: for a write whose copy to PostgreSQL wrote that state, which is then confirmed.
     * Only for a key of a store this log {@link #sharesNodeWith}.
     * @param repository the repository name
     * @param member what {@link #openIntent} or {@link #saveOpeningIntent} returned
     * @param valueKey the Redis key of the entity
     * @param value the value the write left, {@code null} when it left the key absent
     * @return whether the key held it, and the intent was removed
     */
    public boolean closeIntentIfHolding(String repository, String member, String valueKey, @Nullable String value) {
        Long closed = this.redis.execute(CLOSE_INTENT_IF_HOLDING, List.of(this.keys.intents(repository), valueKey),
                member, (value != null) ? value : "", (value != null) ? "0" : "1");
        return closed != null && closed == 1;
    }

    /**
     * Record a key for repair and remove one write's intent of it, in one step: for a write
     * whose copy may be overtaken by a write nobody records. A record the key already has
     * keeps its reason (and counts one attempt more, so a claim of it is not completed).
     * @param repository the repository name
     * @param member what {@link #openIntent} returned
     * @param key the entity key
     * @param reason why, when the key has no record yet
     */
    @Override
    public void recordAndCloseIntent(String repository, String member, String key, String reason) {
        this.redis.execute(RECORD_AND_CLOSE_INTENT,
                List.of(this.keys.records(repository), this.keys.intents(repository)), key, Store.POSTGRES.name(),
                reason, this.clock.instant().toString(), member);
    }

    /**
     * Turn the intents older than the interrupted-write grace (by Redis's clock) into repair
     * records: per batch of {@value #PROMOTE_BATCH}, one script reads the time, picks the old
     * intents and promotes them, so an intent removed meanwhile by its finishing write is left
     * alone. Called by {@link #claim} before it claims.
     * @param repository the repository name
     * @return how many intents became records
     */
    @Override
    public int recordInterruptedWrites(String repository) {
        List<String> keys = List.of(this.keys.intents(repository), this.keys.records(repository));
        String grace = Long.toString(this.interruptedWriteGrace.toMillis());
        int promoted = 0;
        long picked;
        do {
            List<?> done = this.redis.execute(PROMOTE, keys, grace, Integer.toString(PROMOTE_BATCH));
            if (done == null || done.size() < 2) {
                break;
            }
            promoted += ((Number) done.get(0)).intValue();
            picked = ((Number) done.get(1)).longValue();
        }
        while (picked == PROMOTE_BATCH);
        return promoted;
    }

    /**
     * Return how many write intents of a repository are open, whatever their age: writes whose
     * copy to PostgreSQL has not yet run and been confirmed (or its failure recorded), and
     * intents left by writes whose process died. Zero once every write has settled.
     * @param repository the repository name
     * @return the number of open intents
     */
    public long openIntents(String repository) {
        Long open = this.redis.opsForZSet().zCard(this.keys.intents(repository));
        return (open != null) ? open : 0;
    }

    /**
     * Return how many keys of a repository PostgreSQL may be behind on, counting write intents
     * older than {@code inFlight} by Redis's clock (writes in flight for less than that are
     * left aside). One round trip.
     * @param repository the repository name
     * @param inFlight age below which an intent is taken for a write still in flight
     * @return records plus intents older than {@code inFlight}
     */
    @Override
    public long backlog(String repository, Duration inFlight) {
        Long count = this.redis.execute(BACKLOG, List.of(this.keys.intents(repository), this.keys.records(repository)),
                Long.toString(inFlight.toMillis()));
        return (count != null) ? count : 0;
    }

    @Override
    public void recordFailure(String repository, String key, Store target, String reason) {
        this.redis.execute(RECORD, List.of(this.keys.records(repository)), key, target.name(), reason,
                this.clock.instant().toString());
    }

    /**
     * Return whether the key has a record: whether its PostgreSQL copy may miss a write made
     * with Redis as primary.
     * @param repository the repository name
     * @param key the entity key
     * @return whether a record of the key exists
     */
    @Override
    public boolean isOpen(String repository, String key) {
        return this.redis.opsForHash().hasKey(this.keys.records(repository), key);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Counts the records and the intents older than the in-flight grace: the rule of the
     * stage gates ({@link #backlog}). An intent between the in-flight and the interrupted-write
     * grace is counted before the reconciler may turn it into a record.
     */
    @Override
    public long pendingCount(String repository) {
        return backlog(repository, this.inFlightGrace);
    }

    @Override
    public List<RepairRecord> pending(String repository, int limit) {
        List<RepairRecord> records = new ArrayList<>();
        ScanOptions options = ScanOptions.scanOptions().count(Math.min(limit, 1000)).build();
        try (var cursor = this.redis.<String, String>opsForHash().scan(this.keys.records(repository), options)) {
            while (cursor.hasNext() && records.size() < limit) {
                Map.Entry<String, String> entry = cursor.next();
                records.add(toRecord(repository, entry.getKey(), entry.getValue()));
            }
        }
        return records;
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<RepairClaim> claim(String repository, String owner, int limit, Duration lease, Duration minAge) {
        recordInterruptedWrites(repository);
        // Young records are skipped here rather than in the script: the script would have to
        // parse timestamps. One recorded again between the two is still claimed, harmlessly.
        Instant youngest = this.clock.instant().minus(minAge);
        List<RepairClaim> claims = new ArrayList<>();
        List<String> keys = List.of(this.keys.records(repository), this.keys.claims(repository));
        ScanOptions options = ScanOptions.scanOptions().count(Math.max(limit, 100)).build();
        try (var cursor = this.redis.<String, String>opsForHash().scan(this.keys.records(repository), options)) {
            List<String> candidates = new ArrayList<>();
            while (claims.size() < limit && (cursor.hasNext() || !candidates.isEmpty())) {
                if (cursor.hasNext()) {
                    Map.Entry<String, String> entry = cursor.next();
                    if (!toRecord(repository, entry.getKey(), entry.getValue()).lastRecordedAt().isAfter(youngest)) {
                        candidates.add(entry.getKey());
                    }
                }
                if (candidates.size() >= limit - claims.size() || !cursor.hasNext()) {
                    List<String> args = new ArrayList<>(candidates.size() + 3);
                    args.add(owner);
                    args.add(Long.toString(this.clock.millis()));
                    args.add(Long.toString(lease.toMillis()));
                    args.addAll(candidates);
                    List<Object> out = this.redis.execute(CLAIM, keys, args.toArray());
                    for (int i = 0; out != null && i + 2 < out.size(); i += 3) {
                        String value = (String) out.get(i + 1);
                        claims.add(new RepairClaim(toRecord(repository, (String) out.get(i), value), owner,
                                Integer.parseInt((String) out.get(i + 2)), value));
                    }
                    candidates.clear();
                }
            }
        }
        return claims;
    }

    @Override
    public boolean complete(RepairClaim claim) {
        String repository = claim.record().repository();
        Long removed = this.redis.execute(COMPLETE,
                List.of(this.keys.records(repository), this.keys.claims(repository)), claim.key(), claim.version(),
                claim.owner());
        return removed != null && removed > 0;
    }

    @Override
    public void release(RepairClaim claim, Duration backoff) {
        String repository = claim.record().repository();
        this.redis.execute(RELEASE, List.of(this.keys.records(repository), this.keys.claims(repository)),
                claim.key(), claim.owner(), Long.toString(this.clock.millis() + backoff.toMillis()));
    }

    @Override
    public Optional<Instant> oldestRecordedAt(String repository) {
        // The hash keeps no order: one HSCAN over every record. Callers cache the answer.
        @Nullable Instant oldest = null;
        ScanOptions options = ScanOptions.scanOptions().count(1000).build();
        try (var cursor = this.redis.<String, String>opsForHash().scan(this.keys.records(repository), options)) {
            while (cursor.hasNext()) {
                Map.Entry<String, String> entry = cursor.next();
                Instant first = toRecord(repository, entry.getKey(), entry.getValue()).firstRecordedAt();
                if (oldest == null || first.isBefore(oldest)) {
                    oldest = first;
                }
            }
        }
        String score = this.redis.execute(OLDEST_INTERRUPTED, List.of(this.keys.intents(repository)),
                Long.toString(this.interruptedWriteGrace.toMillis()));
        if (score != null) {
            Instant intent = Instant.ofEpochMilli((long) Double.parseDouble(score));
            if (oldest == null || intent.isBefore(oldest)) {
                oldest = intent;
            }
        }
        return Optional.ofNullable(oldest);
    }

    private RepairRecord toRecord(String repository, String key, String value) {
        Map<?, ?> fields = this.json.readValue(value, Map.class);
        return new RepairRecord(repository, key, Store.valueOf((String) fields.get("target")),
                (String) fields.get("reason"), Instant.parse((String) fields.get("firstRecordedAt")),
                Instant.parse((String) fields.get("lastRecordedAt")), ((Number) fields.get("attempts")).intValue());
    }

}
