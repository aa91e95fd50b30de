package dev.dualwrite.core.redis.json;

import dev.dualwrite.core.redis.KeyPatterns;
import org.jspecify.annotations.Nullable;

import org.springframework.core.convert.ConversionService;
import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.data.repository.core.support.PersistentEntityInformation;
import org.springframework.util.Assert;

/**
 * Ids and keys of one {@link RedisJson} entity type: the key of an id is
 * {@code keyPrefix + id}, the id converted to a string with the {@link ConversionService},
 * and a key converts back to its id the same way.
 * @param <T> the entity type
 * @param <ID> the id type
 */
public class RedisJsonEntityInformation<T, ID> extends PersistentEntityInformation<T, ID> {

    private final String keyPrefix;

    private final ConversionService conversionService;

    /**
     * Create the information of one entity type.
     * @param entity the entity's mapping metadata, with an id property
     * @param keyPrefix the resolved key prefix; must not be empty
     * @param conversionService converts ids to key suffixes and back
     */
    public RedisJsonEntityInformation(RedisJsonPersistentEntity<T> entity, String keyPrefix,
            ConversionService conversionService) {
        super(entity);
        Assert.notNull(entity, "entity must not be null");
        Assert.hasLength(keyPrefix, "keyPrefix must not be empty");
        Assert.notNull(conversionService, "conversionService must not be null");
        Assert.isTrue(entity.hasIdProperty(), () -> entity.getType().getName() + " has no @Id property");
        this.keyPrefix = keyPrefix;
        this.conversionService = conversionService;
    }

    /** Return the resolved key prefix, e.g. {@code "token:"}. */
    public String getKeyPrefix() {
        return this.keyPrefix;
    }

    /**
     * Return the key prefix as a {@code SCAN MATCH} pattern that matches only itself, the
     * start of every pattern that selects keys of this type.
     * @return the key prefix with its glob characters escaped
     */
    public String getKeyPrefixPattern() {
        return KeyPatterns.escape(this.keyPrefix);
    }

    /**
     * Return the Redis key of an id.
     * @param id the id
     * @return {@code keyPrefix + id}
     */
    public String getKey(ID id) {
        Assert.notNull(id, "id must not be null");
        String suffix = this.conversionService.convert(id, String.class);
        // An empty suffix would make the key equal to the prefix, a key no scan can tell apart.
        if (suffix == null || suffix.isEmpty()) {
            throw new InvalidDataAccessApiUsageException("The id of a " + getJavaType().getName()
                    + " converts to an empty string, which cannot be part of a Redis key");
        }
        return this.keyPrefix + suffix;
    }

    /**
     * Return the id of an entity that must have one.
     * @param entity the entity
     * @return its id
     * @throws InvalidDataAccessApiUsageException when the entity has no id
     */
    @Override
    public ID getRequiredId(T entity) {
        Assert.notNull(entity, "entity must not be null");
        ID id = getId(entity);
        if (id == null) {
            throw new InvalidDataAccessApiUsageException("A " + getJavaType().getName() + " without an id cannot "
                    + "be stored or deleted: Redis JSON entities get their ids from the application, and the id is "
                    + "part of the Redis key ('" + this.keyPrefix + "' + id); set the id first");
        }
        return id;
    }

    /**
     * Return the Redis key of an entity.
     * @param entity the entity, which must have an id
     * @return {@code keyPrefix + id}
     * @throws InvalidDataAccessApiUsageException when the entity has no id
     */
    public String getRequiredKey(T entity) {
        return getKey(getRequiredId(entity));
    }

    /**
     * Return the id that a key stands for.
     * @param key a key that starts with the key prefix
     * @return the id, converted from the key's suffix
     */
    public ID getIdFromKey(String key) {
        Assert.notNull(key, "key must not be null");
        Assert.isTrue(key.startsWith(this.keyPrefix) && key.length() > this.keyPrefix.length(),
                () -> "Key '" + key + "' is not under prefix '" + this.keyPrefix + "'");
        @Nullable ID id = this.conversionService.convert(key.substring(this.keyPrefix.length()), getIdType());
        Assert.state(id != null, () -> "Key '" + key + "' converts to a null id");
        return id;
    }

}
