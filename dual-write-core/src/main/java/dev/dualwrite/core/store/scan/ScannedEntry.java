package dev.dualwrite.core.store.scan;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * One key found by a scan: either decoded ({@code entity} set, {@code problem} null) or a
 * reject ({@code problem} says what is wrong; {@code entity} null). Values that cannot be
 * decoded never stop a scan. What it holds:
 * <ul>
 * <li>{@code redisKey}: the key in the old store (the Redis key for Redis; the name stays from
 * when Redis was the only old store);</li>
 * <li>{@code id}: the entity id the key stands for, or {@code null} when the key does not
 * convert to an id;</li>
 * <li>{@code entity}: the decoded entity, or {@code null} for a reject;</li>
 * <li>{@code rawValue}: the value as read (for Redis: JSON, or the hash's fields as
 * {@code field=value} lines), for the rejects table; may hold personal data, so never log it
 * ({@link #toString()} leaves it out);</li>
 * <li>{@code problem}: what is wrong with the value, without quoting it; {@code null} when
 * decoded.</li>
 * </ul>
 * @param <R> the old store's entity type
 * @param <ID> the id type
 */
public final class ScannedEntry<R, ID> {

    private final String redisKey;

    private final @Nullable ID id;

    private final @Nullable R entity;

    // The value as read: its text, or its UTF-8 bytes, turned into text only when asked, since
    // a decoded entry's text is needed only when the entry is set aside later (rarely).
    private final @Nullable String rawText;

    private final byte @Nullable [] rawUtf8;

    private final @Nullable String problem;

    /**
     * Create an entry; {@link #decoded} and {@link #rejected} say what each kind holds.
     * @param redisKey the key in the old store
     * @param id the entity id, or {@code null}
     * @param entity the decoded entity, or {@code null} for a reject
     * @param rawValue the value as read, or {@code null}
     * @param problem what is wrong with the value, or {@code null} when decoded
     */
    public ScannedEntry(String redisKey, @Nullable ID id, @Nullable R entity, @Nullable String rawValue,
            @Nullable String problem) {
        this(redisKey, id, entity, rawValue, null, problem);
    }

    private ScannedEntry(String redisKey, @Nullable ID id, @Nullable R entity, @Nullable String rawText,
            byte @Nullable [] rawUtf8, @Nullable String problem) {
        Assert.notNull(redisKey, "redisKey must not be null");
        Assert.isTrue((entity == null) != (problem == null), "exactly one of entity and problem must be set");
        this.redisKey = redisKey;
        this.id = id;
        this.entity = entity;
        this.rawText = rawText;
        this.rawUtf8 = rawUtf8;
        this.problem = problem;
    }

    public static <R, ID> ScannedEntry<R, ID> decoded(String redisKey, ID id, R entity, @Nullable String rawValue) {
        return new ScannedEntry<>(redisKey, id, entity, rawValue, null);
    }

    /**
     * A decoded entry whose value was read as UTF-8 text.
     * @param redisKey the key in the old store
     * @param id the entity id
     * @param entity the decoded entity
     * @param rawUtf8 the value's UTF-8 bytes, not to be changed afterwards
     * @return the entry
     */
    public static <R, ID> ScannedEntry<R, ID> decodedUtf8(String redisKey, ID id, R entity, byte[] rawUtf8) {
        Assert.notNull(rawUtf8, "rawUtf8 must not be null");
        return new ScannedEntry<>(redisKey, id, entity, null, rawUtf8, null);
    }

    public static <R, ID> ScannedEntry<R, ID> rejected(String redisKey, @Nullable ID id, @Nullable String rawValue,
            String problem) {
        return new ScannedEntry<>(redisKey, id, null, rawValue, problem);
    }

    public String redisKey() {
        return this.redisKey;
    }

    public @Nullable ID id() {
        return this.id;
    }

    public @Nullable R entity() {
        return this.entity;
    }

    public @Nullable String rawValue() {
        return (this.rawUtf8 != null) ? new String(this.rawUtf8, StandardCharsets.UTF_8) : this.rawText;
    }

    public @Nullable String problem() {
        return this.problem;
    }

    /** Tell whether the value could not be decoded. */
    public boolean isReject() {
        return this.problem != null;
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return (other instanceof ScannedEntry<?, ?> that) && this.redisKey.equals(that.redisKey)
                && Objects.equals(this.id, that.id) && Objects.equals(this.entity, that.entity)
                && Objects.equals(rawValue(), that.rawValue()) && Objects.equals(this.problem, that.problem);
    }

    @Override
    public int hashCode() {
        return Objects.hash(this.redisKey, this.id, this.entity, this.problem);
    }

    @Override
    public String toString() {
        // Never the value: it may hold personal data.
        return "ScannedEntry[redisKey=" + this.redisKey + ", id=" + this.id + ", problem=" + this.problem + "]";
    }

}
