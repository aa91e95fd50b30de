package dev.dualwrite.core.redis.json;

import org.springframework.dao.DataRetrievalFailureException;
import org.springframework.util.Assert;

/**
 * Thrown when the value under a Redis key cannot be read as its entity: not JSON, JSON that
 * does not map to the entity type, a JSON {@code null}, an id that contradicts the key, or a
 * key that holds another Redis type than a string.
 * <p>
 * The message names the key, the entity type and what was wrong, and never contains the
 * value itself, because values may hold personal data and messages end up in logs. For the
 * same reason the Jackson exception is not attached as the cause: its message quotes the
 * offending JSON.
 */
public class RedisJsonReadException extends DataRetrievalFailureException {

    private static final long serialVersionUID = 1L;

    private final String key;

    private final Class<?> entityType;

    /**
     * Create an exception for one key.
     * @param key the Redis key whose value could not be read
     * @param entityType the entity type the value should have mapped to
     * @param problem what was wrong, without quoting the value
     */
    public RedisJsonReadException(String key, Class<?> entityType, String problem) {
        super(message(key, entityType, problem));
        Assert.notNull(key, "key must not be null");
        Assert.notNull(entityType, "entityType must not be null");
        this.key = key;
        this.entityType = entityType;
    }

    private static String message(String key, Class<?> entityType, String problem) {
        return "Cannot read Redis key '" + key + "' as " + entityType.getName() + ": " + problem
                + ". The value is not shown because it may hold personal data; inspect it with GET, "
                + "then fix or delete the key.";
    }

    /** Return the Redis key whose value could not be read. */
    public String getKey() {
        return this.key;
    }

    /** Return the entity type the value should have mapped to. */
    public Class<?> getEntityType() {
        return this.entityType;
    }

}
