package dev.dualwrite.core.backfill;

import java.sql.SQLType;
import java.sql.Types;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.TypeDescriptor;
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
 * <li>if no custom (user or store) conversion exists for the class, the converter's behaviour
 * depends on the class alone (enum, array, entity, assignability to the column type), so it
 * is asked once: if it returned the value itself with the column's SQL type, later values of
 * that class are handed through the same way;</li>
 * <li>if a custom conversion exists for the class, the converter picks its target from the
 * class alone and then converts the value: the first value goes both through the converter
 * and straight through the conversion service to that target, and when both give the same
 * value and JDBC type, later values of the class go straight through the conversion service
 * (the value-dependent part) and take that type; otherwise every value goes through the
 * converter.</li>
 * </ul>
 * The shortcut applies only to Spring Data's own {@link MappingJdbcConverter} (whose rules are
 * the ones above); any other converter is asked for every value but null. A null, whatever
 * the converter, is converted as the converter converted the column's first null, when that
 * gave null: the answer depends on the column alone. The last class seen each way is checked
 * before the maps.
 */
final class ColumnConverter {

    private final JdbcConverter converter;

    private final TypeInformation<?> columnType;

    private final SQLType sqlType;

    private final int sqlTypeNumber;

    private final @Nullable CustomConversions conversions;

    // Value classes the converter was seen to hand through unchanged; a handful per column.
    private final Map<Class<?>, Boolean> unchanged = new ConcurrentHashMap<>();

    // The last of them, checked before the map: a column's values are nearly always of one
    // class. Not volatile: a writer that sees a stale value only asks the map.
    private @Nullable Class<?> lastUnchanged;

    // The shortcut used last, checked first; not volatile, as lastUnchanged.
    private @Nullable Shortcut lastShortcut;

    // The JDBC type number the converter gives a null, once asked; not volatile: a writer that
    // sees no value asks the converter.
    private @Nullable Integer nullType;

    // Value classes with a custom conversion that the conversion service alone was seen to
    // convert as the converter does, with the JDBC type number the converter gave; absent when
    // the converter did otherwise.
    private final Map<Class<?>, Optional<Shortcut>> converted = new ConcurrentHashMap<>();

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
        if (value == null) {
            // The converter's answer for null depends on the column alone: asked once.
            Integer nullType = this.nullType;
            if (nullType == null) {
                JdbcValue converted = this.converter.writeJdbcValue(null, this.columnType, this.sqlType);
                values[index] = converted.getValue();
                types[index] = typeNumber(converted.getJdbcType());
                if (converted.getValue() == null) {
                    this.nullType = types[index];
                }
                return;
            }
            values[index] = null;
            types[index] = nullType;
            return;
        }
        Class<?> valueClass = value.getClass();
        // The last class seen each way first: a column's values are nearly always of one class.
        // A class either is handed through or has a shortcut, never both.
        Shortcut last = this.lastShortcut;
        if (last != null && last.source() == valueClass) {
            values[index] = last.convert(value);
            types[index] = last.typeNumber();
            return;
        }
        if (valueClass == this.lastUnchanged || Boolean.TRUE.equals(this.unchanged.get(valueClass))) {
            values[index] = value;
            types[index] = this.sqlTypeNumber;
            if (this.lastUnchanged != valueClass) {
                this.lastUnchanged = valueClass;
            }
            return;
        }
        Optional<Shortcut> shortcut = this.converted.get(valueClass);
        if (shortcut != null && shortcut.isPresent()) {
            values[index] = shortcut.get().convert(value);
            types[index] = shortcut.get().typeNumber();
            this.lastShortcut = shortcut.get();
            return;
        }
        JdbcValue converted = this.converter.writeJdbcValue(value, this.columnType, this.sqlType);
        values[index] = converted.getValue();
        types[index] = typeNumber(converted.getJdbcType());
        if (this.conversions != null && !this.unchanged.containsKey(valueClass)) {
            boolean custom = this.conversions.hasCustomWriteTarget(valueClass);
            boolean handedThrough = converted.getValue() == value && converted.getJdbcType() == this.sqlType
                    && !custom;
            this.unchanged.put(valueClass, handedThrough);
            if (custom && shortcut == null) {
                this.converted.put(valueClass, Shortcut.ifSameAs(converted, value, this.conversions,
                        this.converter.getConversionService()));
            }
        }
    }

    /** Convert without the shortcut (the ids of rows the fast path does not prepare). */
    @Nullable Object convert(@Nullable Object value) {
        return this.converter.writeJdbcValue(value, this.columnType, this.sqlType).getValue();
    }

    /**
     * A value class's custom conversion, straight through the conversion service.
     * @param source the value class it converts
     * @param sourceType the same class, as the conversion service describes it
     * @param targetType the conversion's target class (as the custom conversions give it),
     * described the same way
     * @param typeNumber the JDBC type number the converter gave the converted value
     * @param conversionService the converter's conversion service
     */
    private record Shortcut(Class<?> source, TypeDescriptor sourceType, TypeDescriptor targetType, int typeNumber,
            ConversionService conversionService) {

        static Optional<Shortcut> ifSameAs(JdbcValue converted, Object value, CustomConversions conversions,
                ConversionService conversionService) {
            Class<?> target = conversions.getCustomWriteTarget(value.getClass()).orElse(null);
            if (target == null || JdbcValue.class.isAssignableFrom(target)) {
                return Optional.empty();
            }
            // The descriptors once, not per value (what convert(value, Class) makes for each call).
            Shortcut shortcut = new Shortcut(value.getClass(), TypeDescriptor.valueOf(value.getClass()),
                    TypeDescriptor.valueOf(target), ColumnConverter.typeNumber(converted.getJdbcType()),
                    conversionService);
            return Objects.equals(shortcut.convert(value), converted.getValue()) ? Optional.of(shortcut)
                    : Optional.empty();
        }

        @Nullable Object convert(Object value) {
            return this.conversionService.convert(value, this.sourceType, this.targetType);
        }

    }

    private static int typeNumber(@Nullable SQLType type) {
        return (type != null && type.getVendorTypeNumber() != null) ? type.getVendorTypeNumber() : Types.OTHER;
    }

}
