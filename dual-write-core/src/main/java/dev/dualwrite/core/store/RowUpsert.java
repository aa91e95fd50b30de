package dev.dualwrite.core.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLType;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.data.core.TypeInformation;
import org.springframework.data.jdbc.core.convert.JdbcConverter;
import org.springframework.data.jdbc.core.mapping.JdbcValue;
import org.springframework.data.mapping.PersistentPropertyAccessor;
import org.springframework.data.relational.core.mapping.RelationalPersistentEntity;
import org.springframework.data.relational.core.mapping.RelationalPersistentProperty;
import org.springframework.data.relational.core.mapping.RelationalPredicates;
import org.springframework.data.relational.core.sql.IdentifierProcessing;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.StatementCreatorUtils;

/**
 * The {@code insert ... on conflict (id) do update} of one entity type, rendered once from the
 * mapping (identifiers as the store's dialect quotes them) where Spring Data JDBC renders its
 * upsert anew on every call,
 * with each value converted as Spring Data JDBC's insert converts it (the application's
 * {@link JdbcConverter}, custom conversions included) and bound as its
 * {@code NamedParameterJdbcTemplate} binds it. Only for a flat entity: every persistent
 * property a simple, writable, updatable column and the id provided by the caller; anything
 * else (a version, an embedded object, a reference or collection of entities, an aggregate
 * reference, a map, an insert-only or read-only property) stays with Spring Data JDBC
 * ({@link #of} returns {@code null}).
 * <p>
 * Like the backfill's statements, it writes the row without Spring Data JDBC's lifecycle
 * events of the row type; an application that declares entity callbacks (auditing, ...)
 * has its rows written by Spring Data JDBC instead, which runs them (see
 * {@link PostgresSide}'s constructor).
 */
final class RowUpsert {

    private final String sql;

    private final List<Column> columns;

    private RowUpsert(String sql, List<Column> columns) {
        this.sql = sql;
        this.columns = columns;
    }

    /**
     * Return the upsert of an entity type, or {@code null} when Spring Data JDBC must write it.
     * The statement is PostgreSQL's {@code on conflict} clause, which SQLite 3.24 and later
     * accept as written: only for those two.
     * @param entity the mapped entity
     * @param converter the converter of the store written (the application's)
     * @param quoting how the store's dialect quotes identifiers, as Spring Data JDBC's own
     * statements on that store do
     * @return the upsert, or {@code null}
     */
    static @Nullable RowUpsert of(RelationalPersistentEntity<?> entity, JdbcConverter converter,
            IdentifierProcessing quoting) {
        if (entity.hasVersionProperty() || !entity.hasIdProperty()) {
            return null;
        }
        RelationalPersistentProperty idProperty = entity.getRequiredIdProperty();
        List<Column> columns = new ArrayList<>();
        for (RelationalPersistentProperty property : entity) {
            if (property.isEmbedded() || property.isEntity() || property.isAssociation() || property.isMap()
                    || RelationalPredicates.isRelation(property) || !property.isWritable()
                    || property.isInsertOnly()) {
                return null;
            }
            columns.add(new Column(property, TypeInformation.of(converter.getColumnType(property)),
                    converter.getTargetSqlType(property)));
        }
        if (columns.size() < 2) {
            // Only an id: nothing to set on conflict.
            return null;
        }
        String id = idProperty.getColumnName().toSql(quoting);
        List<String> names = new ArrayList<>();
        List<String> updates = new ArrayList<>();
        for (Column column : columns) {
            String name = column.property().getColumnName().toSql(quoting);
            names.add(name);
            if (!column.property().isIdProperty()) {
                updates.add(name + " = excluded." + name);
            }
        }
        String sql = "insert into " + entity.getQualifiedTableName().toSql(quoting) + " (" + String.join(", ", names)
                + ") values (" + String.join(", ", names.stream().map((name) -> "?").toList()) + ") on conflict ("
                + id + ") do update set " + String.join(", ", updates);
        return new RowUpsert(sql, columns);
    }

    /**
     * Return the statement, one parameter per column.
     * @return the SQL
     */
    String sql() {
        return this.sql;
    }

    /**
     * Convert a row's values, column by column, before any statement is sent: a value the
     * converter refuses fails the write before it has begun.
     * @param entity the row
     * @param type the row's mapped entity
     * @param converter the application's converter
     * @return the values to {@link #bind}
     */
    Values values(Object entity, RelationalPersistentEntity<?> type, JdbcConverter converter) {
        PersistentPropertyAccessor<?> accessor = type.getPropertyAccessor(entity);
        Object[] values = new Object[this.columns.size()];
        int[] types = new int[this.columns.size()];
        for (int i = 0; i < values.length; i++) {
            Column column = this.columns.get(i);
            JdbcValue converted = converter.writeJdbcValue(accessor.getProperty(column.property()), column.type(),
                    column.sqlType());
            values[i] = converted.getValue();
            SQLType sqlType = converted.getJdbcType();
            types[i] = (sqlType != null && sqlType.getVendorTypeNumber() != null) ? sqlType.getVendorTypeNumber()
                    : SqlTypeValue.TYPE_UNKNOWN;
        }
        return new Values(values, types);
    }

    /** A row's values, converted for JDBC, with their JDBC type numbers. */
    record Values(@Nullable Object[] values, int[] types) {

        /**
         * Bind the values as parameters {@code first} onwards.
         * @param statement the statement
         * @param first the index of the first column's parameter
         * @throws SQLException as the driver throws it
         */
        void bind(PreparedStatement statement, int first) throws SQLException {
            for (int i = 0; i < this.values.length; i++) {
                StatementCreatorUtils.setParameterValue(statement, first + i, this.types[i], this.values[i]);
            }
        }

    }

    private record Column(RelationalPersistentProperty property, TypeInformation<?> type, SQLType sqlType) {
    }

}
