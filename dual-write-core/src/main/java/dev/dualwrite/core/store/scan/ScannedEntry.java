package dev.dualwrite.core.store.scan;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * One key found by a scan: either decoded ({@code entity} set, {@code problem} null) or a
 * reject ({@code problem} says what is wrong; {@code entity} null). Values that cannot be
 * decoded never stop a scan.
 * @param redisKey the key in the old store (the Redis key for Redis; the name stays from when
 * Redis was the only old store)
 * @param id the entity id the key stands for, or {@code null} when the key does not convert
 * to an id
 * @param entity the decoded entity, or {@code null} for a reject
 * @param rawValue the value as read (for Redis: JSON, or the hash's fields as
 * {@code field=value} lines), for the rejects table; may hold personal data, so never log it
 * @param problem what is wrong with the value, without quoting it; {@code null} when decoded
 * @param <R> the old store's entity type
 * @param <ID> the id type
 */
public record ScannedEntry<R, ID>(String redisKey, @Nullable ID id, @Nullable R entity, @Nullable String rawValue,
        @Nullable String problem) {

    public ScannedEntry {
        Assert.notNull(redisKey, "redisKey must not be null");
        Assert.isTrue((entity == null) != (problem == null), "exactly one of entity and problem must be set");
    }

    public static <R, ID> ScannedEntry<R, ID> decoded(String redisKey, ID id, R entity, @Nullable String rawValue) {
        return new ScannedEntry<>(redisKey, id, entity, rawValue, null);
    }

    public static <R, ID> ScannedEntry<R, ID> rejected(String redisKey, @Nullable ID id, @Nullable String rawValue,
            String problem) {
        return new ScannedEntry<>(redisKey, id, null, rawValue, problem);
    }

    /** Tell whether the value could not be decoded. */
    public boolean isReject() {
        return this.problem != null;
    }

}
