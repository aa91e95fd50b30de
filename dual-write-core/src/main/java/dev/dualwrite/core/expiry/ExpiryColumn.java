package dev.dualwrite.core.expiry;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import org.jspecify.annotations.Nullable;

import org.springframework.data.mapping.PersistentPropertyAccessor;
import org.springframework.data.mapping.model.EntityInstantiators;
import org.springframework.data.mapping.model.InstantiationAwarePropertyAccessor;
import org.springframework.data.relational.core.dialect.PostgresDialect;
import org.springframework.data.relational.core.mapping.RelationalMappingContext;
import org.springframework.data.relational.core.mapping.RelationalPersistentEntity;
import org.springframework.data.relational.core.mapping.RelationalPersistentProperty;
import org.springframework.data.relational.core.sql.IdentifierProcessing;
import org.springframework.util.Assert;

/**
 * The property of a PostgreSQL entity that holds when its key expires: read, written (on
 * immutable types too) and named in SQL with quoted identifiers from the mapping.
 * <p>
 * Its type must be {@link Instant} or {@link OffsetDateTime}, instants both, so the column
 * ({@code timestamptz}) compares with the database's {@code now()} whatever the session's
 * time zone; a {@code LocalDateTime} would not.
 * @param <P> the PostgreSQL entity type
 */
public final class ExpiryColumn<P> {

    private final RelationalPersistentEntity<P> entity;

    private final RelationalPersistentProperty property;

    private final boolean offset;

    private final String table;

    private final String column;

    private final String idColumn;

    private final EntityInstantiators instantiators = new EntityInstantiators();

    private ExpiryColumn(RelationalPersistentEntity<P> entity, RelationalPersistentProperty property) {
        this.entity = entity;
        this.property = property;
        Class<?> type = property.getType();
        if (type != Instant.class && type != OffsetDateTime.class) {
            throw new IllegalStateException("dual-write expiry: " + entity.getType().getName() + "." + property.getName()
                    + " is of type " + type.getName() + "; the expiry property must be an Instant or an OffsetDateTime "
                    + "(mapped to a timestamptz column)");
        }
        this.offset = (type == OffsetDateTime.class);
        IdentifierProcessing quoting = PostgresDialect.INSTANCE.getIdentifierProcessing();
        this.table = entity.getQualifiedTableName().toSql(quoting);
        this.column = property.getColumnName().toSql(quoting);
        this.idColumn = entity.getRequiredIdProperty().getColumnName().toSql(quoting);
    }

    /**
     * Return the expiry property of an entity type: the named one, or else the one annotated
     * with {@link ExpiresAt}.
     * @param mappingContext the PostgreSQL mapping metadata
     * @param type the PostgreSQL entity type
     * @param propertyName the configured property name, or {@code null} to look for the annotation
     * @param <P> the entity type
     * @return the column, or {@code null} when none is configured nor annotated
     * @throws IllegalStateException when the named property does not exist or has the wrong type
     */
    public static <P> @Nullable ExpiryColumn<P> find(RelationalMappingContext mappingContext, Class<P> type,
            @Nullable String propertyName) {
        Assert.notNull(mappingContext, "mappingContext must not be null");
        Assert.notNull(type, "type must not be null");
        @SuppressWarnings("unchecked")
        RelationalPersistentEntity<P> entity = (RelationalPersistentEntity<P>) mappingContext
            .getRequiredPersistentEntity(type);
        RelationalPersistentProperty property;
        if (propertyName != null) {
            property = entity.getPersistentProperty(propertyName);
            if (property == null) {
                throw new IllegalStateException("dual-write expiry: " + type.getName() + " has no property '"
                        + propertyName + "'; name the property of the PostgreSQL entity that holds the expiry");
            }
        }
        else {
            property = entity.getPersistentProperty(ExpiresAt.class);
            if (property == null) {
                return null;
            }
        }
        return new ExpiryColumn<>(entity, property);
    }

    /**
     * Read the expiry of a row.
     * @param row the entity
     * @return when it expires, or {@code null} when it does not
     */
    public @Nullable Instant get(P row) {
        Object value = this.entity.getPropertyAccessor(row).getProperty(this.property);
        if (value instanceof OffsetDateTime at) {
            return at.toInstant();
        }
        return (Instant) value;
    }

    /**
     * Return the row with its expiry set.
     * @param row the entity
     * @param at when it expires, or {@code null} for never
     * @return the entity, a new instance for an immutable type
     */
    public P with(P row, @Nullable Instant at) {
        PersistentPropertyAccessor<P> accessor = new InstantiationAwarePropertyAccessor<>(row,
                this.entity::getPropertyAccessor, this.instantiators);
        Object value = (at == null || !this.offset) ? at : at.atOffset(ZoneOffset.UTC);
        accessor.setProperty(this.property, value);
        return accessor.getBean();
    }

    /**
     * Tell whether a row is still live at an instant.
     * @param row the entity
     * @param now the instant
     * @return whether it has no expiry, or one after {@code now}
     */
    public boolean isLive(P row, Instant now) {
        Instant at = get(row);
        return at == null || at.isAfter(now);
    }

    public Class<P> entityType() {
        return this.entity.getType();
    }

    /** Return the property name, for messages. */
    public String propertyName() {
        return this.property.getName();
    }

    /**
     * Return the statement that deletes up to {@code ?} rows whose expiry has passed by the
     * database's clock. The inner select locks the rows it picks and skips those a live
     * transaction holds ({@code for update skip locked}), so the sweep never waits on a writer
     * nor deadlocks with one: a row held now is swept next time if it is still expired. The
     * condition is repeated on the rows themselves, so a row rewritten with a later expiry is
     * re-checked by PostgreSQL and kept.
     */
    String deleteExpiredSql() {
        return "delete from " + this.table + " where " + this.idColumn + " in (select " + this.idColumn + " from "
                + this.table + " where " + this.column + " <= now() limit ? for update skip locked) and "
                + this.column + " <= now()";
    }

    /** Return the statement that counts the rows still live by the database's clock. */
    String countLiveSql() {
        return "select count(*) from " + this.table + " where " + this.column + " is null or " + this.column
                + " > now()";
    }

    /** Return the table, quoted, for messages. */
    String table() {
        return this.table;
    }

}
