package dev.dualwrite.core.repair;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.dualwrite.core.strategy.Store;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.util.Assert;

/**
 * A {@link RepairLog} kept in Redis, for keys whose PostgreSQL copy may be behind (stage
 * {@code DUAL}, where Redis is the primary and is up whenever a write succeeded).
 * <p>
 * One hash per repository, {@code dualwrite:repair:{<repository>}}, field = key, value =
 * the record as JSON. The hash tag keeps a repository's records on one cluster slot.
 * <p>
 * Reconciler claims live beside the records, in {@code dualwrite:repair:{<repository>}:claims}
 * (same slot), field = key, value = owner, lease end and repair failures as JSON; claiming,
 * completing and releasing are each one Lua script, so they are atomic with respect to
 * {@link #recordFailure} and to other instances.
 */
public class RedisRepairLog implements ClaimableRepairLog {

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

    private final StringRedisTemplate redis;

    private final JsonMapper json = JsonMapper.builder().build();

    private final Clock clock;

    public RedisRepairLog(StringRedisTemplate redis) {
        this(redis, Clock.systemUTC());
    }

    RedisRepairLog(StringRedisTemplate redis, Clock clock) {
        Assert.notNull(redis, "redis must not be null");
        this.redis = redis;
        this.clock = clock;
    }

    /**
     * Return the Redis key of a repository's records.
     * @param repository the repository name
     * @return the hash key
     */
    public static String hashKey(String repository) {
        return "dualwrite:repair:{" + repository + "}";
    }

    /**
     * Return the Redis key of a repository's reconciler claims.
     * @param repository the repository name
     * @return the hash key, on the same cluster slot as {@link #hashKey}
     */
    public static String claimsKey(String repository) {
        return hashKey(repository) + ":claims";
    }

    @Override
    public void recordFailure(String repository, String key, Store target, String reason) {
        this.redis.execute(RECORD, List.of(hashKey(repository)), key, target.name(), reason,
                this.clock.instant().toString());
    }

    /**
     * Return whether the key has a record: whether its PostgreSQL copy may miss a write made
     * with Redis as primary.
     * @param repository the repository name
     * @param key the entity key
     * @return whether a record of the key exists
     */
    public boolean isOpen(String repository, String key) {
        return this.redis.opsForHash().hasKey(hashKey(repository), key);
    }

    @Override
    public long pendingCount(String repository) {
        return this.redis.opsForHash().size(hashKey(repository));
    }

    @Override
    public List<RepairRecord> pending(String repository, int limit) {
        List<RepairRecord> records = new ArrayList<>();
        ScanOptions options = ScanOptions.scanOptions().count(Math.min(limit, 1000)).build();
        try (var cursor = this.redis.<String, String>opsForHash().scan(hashKey(repository), options)) {
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
        // Young records are skipped here rather than in the script: the script would have to
        // parse timestamps. One recorded again between the two is still claimed, harmlessly.
        Instant youngest = this.clock.instant().minus(minAge);
        List<RepairClaim> claims = new ArrayList<>();
        List<String> keys = List.of(hashKey(repository), claimsKey(repository));
        ScanOptions options = ScanOptions.scanOptions().count(Math.max(limit, 100)).build();
        try (var cursor = this.redis.<String, String>opsForHash().scan(hashKey(repository), options)) {
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
        Long removed = this.redis.execute(COMPLETE, List.of(hashKey(repository), claimsKey(repository)), claim.key(),
                claim.version(), claim.owner());
        return removed != null && removed > 0;
    }

    @Override
    public void release(RepairClaim claim, Duration backoff) {
        String repository = claim.record().repository();
        this.redis.execute(RELEASE, List.of(hashKey(repository), claimsKey(repository)), claim.key(), claim.owner(),
                Long.toString(this.clock.millis() + backoff.toMillis()));
    }

    @Override
    public Optional<Instant> oldestRecordedAt(String repository) {
        // The hash keeps no order: one HSCAN over every record. Callers cache the answer.
        @Nullable Instant oldest = null;
        ScanOptions options = ScanOptions.scanOptions().count(1000).build();
        try (var cursor = this.redis.<String, String>opsForHash().scan(hashKey(repository), options)) {
            while (cursor.hasNext()) {
                Map.Entry<String, String> entry = cursor.next();
                Instant first = toRecord(repository, entry.getKey(), entry.getValue()).firstRecordedAt();
                if (oldest == null || first.isBefore(oldest)) {
                    oldest = first;
                }
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
