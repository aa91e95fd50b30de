package dev.dualwrite.core.redis.json;

import org.springframework.util.Assert;

/**
 * One key of a {@link RedisJson} entity type as read from Redis: the key, the decoded entity
 * and the JSON it was decoded from (kept so that a delete can check the value is unchanged).
 * @param key the Redis key
 * @param entity the decoded entity
 * @param json the value as read
 * @param <T> the entity type
 */
public record RedisJsonEntry<T>(String key, T entity, String json) {

    public RedisJsonEntry {
        Assert.notNull(key, "key must not be null");
        Assert.notNull(entity, "entity must not be null");
        Assert.notNull(json, "json must not be null");
    }

}
