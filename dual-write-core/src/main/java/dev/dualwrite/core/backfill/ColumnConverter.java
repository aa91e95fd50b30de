package dev.dualwrite.core.backfill;

import java.sql.SQLType;
import java.sql.Types;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.data.convert.CustomConversions;
import org.springframework.data.core.TypeInformation;
import org.springframework.data.jdbc.core.convert.JdbcConverter;
import org.springframework.data.jdbc.core.convert.MappingJdbcConverter;
import org.springframework.data.jdbc.core.mapping.JdbcValue;
import org.springframework.data.relational.core.mapping.RelationalPersistentProperty;

/**
 * Converts one column's values for JDBC exactly as the application's {@link JdbcConverter}
 * does, but without paying the converter's per-value type introspection for values it hands
 * through unchanged. Spring Data's converter looks up the value's class in its mapping
 * context and conversions for every value; on the backfill's hot path that cost more than
 * decoding the JSON. So, per value class:
 * <ul>
 * <li>if a custom (user or store) conversion exists for the class, every value goes through
 * the converter, as it may depend on the value;</li>
 * <li>otherwise the converter's behaviour depends on the class alone (enum, array, entity,
 * assignability to the column type), so it is asked once: if it returned the value itself
 * with the column's SQL type, later values of that class are handed through the same way.</li>
 * </ul>
 * The shortcut applies only to Spring Data's own {@link MappingJdbcConverter} (whose rules are
 * the ones above); any other converter is asked for every value.
 */
final class ColumnConverter {

    private final JdbcConverter converter;

    private final TypeInformation<?> columnType;

    private final SQLType sqlType;

    private final int sqlTypeNumber;

    private final @Nullable CustomConversions conversions;

    // Value classes the converter was seen to hand through unchanged; a handful per column.
    private final Map<Class<?>, Boolean> unchanged = new ConcurrentHashMap<>();

    ColumnConverter(JdbcConverter converter, RelationalPersistentProperty property) {
        this.converter = converter;
        this.columnType = TypeInformation.of(converter.getColumnType(property));
        this.sqlType = converter.getTargetSqlType(property);
        this.sqlTypeNumber = typeNumber(this.sqlType);
        this.conversions = (converter.getClass() == MappingJdbcConverter.class)
                ? ((MappingJdbcConverter) converter).getConversions() : null;
    }

    /**
     * Convert a value and store it and its JDBC type number at {@code index}.
     * @param value the property's value
     * @param values where the converted value goes
     * @param types where its JDBC type number goes ({@link Types#OTHER} when unknown)
     * @param index the column's index
     */
    void write(@Nullable Object value, @Nullable Object[] values, int[] types, int index) {
        if (value != null && Boolean.TRUE.equals(this.unchanged.get(value.getClass()))) {
            values[index] = value;
            types[index] = this.sqlTypeNumber;
            return;
        }
        JdbcValue converted = this.converter.writeJdbcValue(value, this.columnType, this.sqlType);
        values[index] = converted.getValue();
        types[index] = typeNumber(converted.getJdbcType());
        if (value != null && this.conversions != null && !this.unchanged.containsKey(value.getClass())) {
            boolean handedThrough = converted.getValue() == value && converted.getJdbcType() == this.sqlType
                    && !this.conversions.hasCustomWriteTarget(value.getClass());
            this.unchanged.put(value.getClass(), handedThrough);
        }
    }

    /** Convert without the shortcut (ids: one per row, and their conversion must match the table's). */
    @Nullable Object convert(@Nullable Object value) {
        return this.converter.writeJdbcValue(value, this.columnType, this.sqlType).getValue();
    }

    private static int typeNumber(@Nullable SQLType type) {
        return (type != null && type.getVendorTypeNumber() != null) ? type.getVendorTypeNumber() : Types.OTHER;
    }

}
