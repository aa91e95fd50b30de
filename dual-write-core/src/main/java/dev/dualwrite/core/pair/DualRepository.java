package dev.dualwrite.core.pair;

import dev.dualwrite.core.expiry.KeyExpiry;
import dev.dualwrite.core.store.PostgresSide;
import dev.dualwrite.core.store.RedisSide;

import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.util.Assert;

/**
 * One paired repository at run time: its name, both stores and the mapping between their
 * entity types.
 * @param name the repository name
 * @param redis the undecorated Redis repository
 * @param postgres the PostgreSQL table, through Spring Data JDBC
 * @param postgresRepository the Spring Data JDBC repository, whose methods serve PostgreSQL reads
 * @param postgresInterface the interface of {@code postgresRepository}
 * @param mapping converts between the two entity types
 * @param expiry how key expiries are carried between the stores ({@link KeyExpiry#none()}
 * when they are not)
 * @param <R> the Redis entity type
 * @param <P> the PostgreSQL entity type
 * @param <ID> the id type, shared by both sides
 */
public record DualRepository<R, P, ID>(String name, RedisSide<R, ID> redis, PostgresSide<P, ID> postgres,
        Object postgresRepository, Class<?> postgresInterface, EntityMapping<R, P> mapping,
        KeyExpiry<R, P, ID> expiry) {

    public DualRepository {
        Assert.hasText(name, "name must not be empty");
        Assert.notNull(redis, "redis must not be null");
        Assert.notNull(postgres, "postgres must not be null");
        Assert.notNull(postgresRepository, "postgresRepository must not be null");
        Assert.isInstanceOf(postgresInterface, postgresRepository, "postgresRepository must implement postgresInterface");
        Assert.notNull(mapping, "mapping must not be null");
        Assert.notNull(expiry, "expiry must not be null");
    }

    /**
     * A paired repository that carries no key expiries.
     * @param name the repository name
     * @param redis the undecorated Redis repository
     * @param postgres the PostgreSQL table
     * @param postgresRepository the Spring Data JDBC repository
     * @param postgresInterface the interface of {@code postgresRepository}
     * @param mapping converts between the two entity types
     */
    public DualRepository(String name, RedisSide<R, ID> redis, PostgresSide<P, ID> postgres, Object postgresRepository,
            Class<?> postgresInterface, EntityMapping<R, P> mapping) {
        this(name, redis, postgres, postgresRepository, postgresInterface, mapping, KeyExpiry.none());
    }

    /**
     * Return the key of an id as used in locks, repair records and messages.
     * @param id the id
     * @return its string form
     */
    public String keyOf(Object id) {
        return String.valueOf(id);
    }

    /**
     * Return the id of a key: the inverse of {@link #keyOf}.
     * @param key the key, as {@link #keyOf} gives it
     * @return the id, of the Redis repository's id type
     * @throws IllegalStateException when the key converts to no id
     */
    @SuppressWarnings("unchecked")
    public ID idOf(String key) {
        ID id = (ID) DefaultConversionService.getSharedInstance().convert(key, this.redis.idType());
        Assert.state(id != null, () -> "Key '" + key + "' converts to no id");
        return id;
    }

}
