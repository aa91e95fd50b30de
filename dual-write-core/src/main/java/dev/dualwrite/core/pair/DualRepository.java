package dev.dualwrite.core.pair;

import dev.dualwrite.core.expiry.KeyExpiry;
import dev.dualwrite.core.store.OldStore;
import dev.dualwrite.core.store.PostgresSide;

import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.util.Assert;

/**
 * One paired repository at run time: its name, both stores and the mapping between their
 * entity types. The old store (Redis, or another) is reached through {@link OldStore}; the new
 * store is always PostgreSQL.
 * @param name the repository name
 * @param old the old store, through its undecorated repository
 * @param postgres the PostgreSQL table, through Spring Data JDBC
 * @param postgresRepository the Spring Data JDBC repository, whose methods serve PostgreSQL reads
 * @param postgresInterface the interface of {@code postgresRepository}
 * @param mapping converts between the two entity types
 * @param expiry how key expiries are carried between the stores ({@link KeyExpiry#none()}
 * when they are not)
 * @param <R> the old store's entity type
 * @param <P> the PostgreSQL entity type
 * @param <ID> the id type, shared by both sides
 */
public record DualRepository<R, P, ID>(String name, OldStore<R, ID> old, PostgresSide<P, ID> postgres,
        Object postgresRepository, Class<?> postgresInterface, EntityMapping<R, P> mapping,
        KeyExpiry<R, P, ID> expiry) {

    public DualRepository {
        Assert.hasText(name, "name must not be empty");
        Assert.notNull(old, "old must not be null");
        Assert.notNull(postgres, "postgres must not be null");
        Assert.notNull(postgresRepository, "postgresRepository must not be null");
        Assert.isInstanceOf(postgresInterface, postgresRepository, "postgresRepository must implement postgresInterface");
        Assert.notNull(mapping, "mapping must not be null");
        Assert.notNull(expiry, "expiry must not be null");
    }

    /**
     * A paired repository that carries no key expiries.
     * @param name the repository name
     * @param old the old store, through its undecorated repository
     * @param postgres the PostgreSQL table
     * @param postgresRepository the Spring Data JDBC repository
     * @param postgresInterface the interface of {@code postgresRepository}
     * @param mapping converts between the two entity types
     */
    public DualRepository(String name, OldStore<R, ID> old, PostgresSide<P, ID> postgres, Object postgresRepository,
            Class<?> postgresInterface, EntityMapping<R, P> mapping) {
        this(name, old, postgres, postgresRepository, postgresInterface, mapping, KeyExpiry.none());
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
     * @return the id, of the old store's id type
     * @throws IllegalStateException when the key converts to no id
     */
    @SuppressWarnings("unchecked")
    public ID idOf(String key) {
        ID id = (ID) DefaultConversionService.getSharedInstance().convert(key, this.old.idType());
        Assert.state(id != null, () -> "Key '" + key + "' converts to no id");
        return id;
    }

}
