package dev.dualwrite.core.redis.json;

import org.jspecify.annotations.Nullable;

import org.springframework.data.core.TypeInformation;
import org.springframework.data.mapping.model.BasicPersistentEntity;

/**
 * Mapping metadata of a {@link RedisJson} entity, or of a type nested in one (which has no
 * key prefix).
 * @param <T> the entity type
 */
public class RedisJsonPersistentEntity<T> extends BasicPersistentEntity<T, RedisJsonPersistentProperty> {

    private final @Nullable String keyPrefix;

    private final UnreadableValuePolicy unreadableValues;

    /**
     * Create the metadata of one type.
     * @param information the type
     */
    public RedisJsonPersistentEntity(TypeInformation<T> information) {
        super(information);
        RedisJson annotation = findAnnotation(RedisJson.class);
        this.keyPrefix = (annotation != null) ? annotation.keyPrefix() : null;
        this.unreadableValues = (annotation != null) ? annotation.unreadableValues() : UnreadableValuePolicy.DEFAULT;
    }

    /**
     * Return the key prefix declared by {@link RedisJson#keyPrefix()}, placeholders not yet
     * resolved, or {@code null} when the type is not annotated with {@link RedisJson}.
     */
    public @Nullable String getKeyPrefix() {
        return this.keyPrefix;
    }

    /**
     * Return the policy declared by {@link RedisJson#unreadableValues()}, or
     * {@link UnreadableValuePolicy#DEFAULT} when the type is not annotated.
     */
    public UnreadableValuePolicy getUnreadableValues() {
        return this.unreadableValues;
    }

}
