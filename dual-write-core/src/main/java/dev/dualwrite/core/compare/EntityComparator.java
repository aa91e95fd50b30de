package dev.dualwrite.core.compare;

import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.data.mapping.PersistentEntity;
import org.springframework.data.mapping.PersistentProperty;
import org.springframework.data.mapping.PersistentPropertyAccessor;
import org.springframework.data.mapping.context.MappingContext;
import org.springframework.util.Assert;

/**
 * Compares two entities of one type property by property through Spring Data mapping
 * metadata, and names the properties that differ (as dotted paths, e.g.
 * {@code attributes.values[2].value}).
 * <p>
 * What does not count as a difference, because the stores represent the same value
 * differently: number types and scales ({@code 1}, {@code 1L}, {@code 1.0} and
 * {@code 1.00} are equal), timestamps beyond microseconds (PostgreSQL keeps microseconds) and
 * time zones of the same instant. Nested entities known to the mapping context and records
 * are compared property by property; collections element by element (sets regardless of
 * order); maps entry by entry; everything else with {@code equals}.
 */
public class EntityComparator {

    private static final int MAX_DEPTH = 16;

    private final MappingContext<? extends PersistentEntity<?, ?>, ?> mappingContext;

    /**
     * @param mappingContext the mapping metadata of the compared type (for PostgreSQL
     * entities, Spring Data JDBC's {@code RelationalMappingContext})
     */
    public EntityComparator(MappingContext<? extends PersistentEntity<?, ?>, ?> mappingContext) {
        Assert.notNull(mappingContext, "mappingContext must not be null");
        this.mappingContext = mappingContext;
    }

    /**
     * Return the paths of the properties whose values differ.
     * @param left one entity
     * @param right the other entity, of the same type
     * @return the differing paths, in declaration order; empty when the entities agree
     */
    public List<String> differingFields(Object left, Object right) {
        Assert.notNull(left, "left must not be null");
        Assert.notNull(right, "right must not be null");
        Map<String, FieldValues> differences = new LinkedHashMap<>();
        compare("", left, right, differences, 0);
        return List.copyOf(differences.keySet());
    }

    /**
     * Return the differing properties with both values, as strings.
     * @param left one entity (its values go to {@link FieldValues#redis()})
     * @param right the other entity (its values go to {@link FieldValues#postgres()})
     * @return the differing values by path
     */
    public Map<String, FieldValues> differences(Object left, Object right) {
        Map<String, FieldValues> differences = new LinkedHashMap<>();
        compare("", left, right, differences, 0);
        return differences;
    }

    private void compare(String path, @Nullable Object left, @Nullable Object right, Map<String, FieldValues> out,
            int depth) {
        if (left == right) {
            return;
        }
        if (left == null || right == null || depth > MAX_DEPTH) {
            if (!Objects.equals(left, right)) {
                out.put(name(path), FieldValues.of(left, right));
            }
            return;
        }
        if (left instanceof Number l && right instanceof Number r) {
            if (!numbersEqual(l, r)) {
                out.put(name(path), FieldValues.of(left, right));
            }
            return;
        }
        Object leftTime = normalizedTime(left);
        if (leftTime != null) {
            Object rightTime = normalizedTime(right);
            if (!leftTime.equals(rightTime)) {
                out.put(name(path), FieldValues.of(left, right));
            }
            return;
        }
        if (left instanceof Set<?> l && right instanceof Set<?> r) {
            if (!normalizedSet(l).equals(normalizedSet(r))) {
                out.put(name(path), FieldValues.of(left, right));
            }
            return;
        }
        if (left instanceof Collection<?> l && right instanceof Collection<?> r) {
            compareLists(path, l, r, out, depth);
            return;
        }
        if (left instanceof Object[] l && right instanceof Object[] r) {
            compareLists(path, List.of(l), List.of(r), out, depth);
            return;
        }
        if (left instanceof Map<?, ?> l && right instanceof Map<?, ?> r) {
            Set<Object> keys = new LinkedHashSet<>(l.keySet());
            keys.addAll(r.keySet());
            for (Object key : keys) {
                compare(path + "[" + key + "]", l.get(key), r.get(key), out, depth + 1);
            }
            return;
        }
        if (left.getClass() != right.getClass()) {
            if (!left.equals(right)) {
                out.put(name(path), FieldValues.of(left, right));
            }
            return;
        }
        PersistentEntity<?, ?> entity = entityOf(left.getClass());
        if (entity != null) {
            compareEntity(path, entity, left, right, out, depth);
            return;
        }
        if (left.getClass().isRecord()) {
            compareRecord(path, left, right, out, depth);
            return;
        }
        if (!left.equals(right)) {
            out.put(name(path), FieldValues.of(left, right));
        }
    }

    private void compareEntity(String path, PersistentEntity<?, ?> entity, Object left, Object right,
            Map<String, FieldValues> out, int depth) {
        PersistentPropertyAccessor<Object> leftAccessor = accessor(entity, left);
        PersistentPropertyAccessor<Object> rightAccessor = accessor(entity, right);
        for (PersistentProperty<?> property : entity) {
            compare(child(path, property.getName()), leftAccessor.getProperty(property),
                    rightAccessor.getProperty(property), out, depth + 1);
        }
    }

    private void compareRecord(String path, Object left, Object right, Map<String, FieldValues> out, int depth) {
        for (RecordComponent component : left.getClass().getRecordComponents()) {
            try {
                component.getAccessor().setAccessible(true);
                compare(child(path, component.getName()), component.getAccessor().invoke(left),
                        component.getAccessor().invoke(right), out, depth + 1);
            }
            catch (ReflectiveOperationException | RuntimeException ex) {
                // A component we cannot read: fall back to the record's own equality.
                if (!left.equals(right)) {
                    out.put(name(path), FieldValues.of(left, right));
                }
                return;
            }
        }
    }

    private void compareLists(String path, Collection<?> left, Collection<?> right, Map<String, FieldValues> out,
            int depth) {
        if (left.size() != right.size()) {
            out.put(name(path), FieldValues.of(left, right));
            return;
        }
        Iterator<?> l = left.iterator();
        Iterator<?> r = right.iterator();
        for (int i = 0; l.hasNext(); i++) {
            compare(path + "[" + i + "]", l.next(), r.next(), out, depth + 1);
        }
    }

    @SuppressWarnings("unchecked")
    private static PersistentPropertyAccessor<Object> accessor(PersistentEntity<?, ?> entity, Object bean) {
        return ((PersistentEntity<Object, ?>) entity).getPropertyAccessor(bean);
    }

    private @Nullable PersistentEntity<?, ?> entityOf(Class<?> type) {
        if (type.getName().startsWith("java.") || type.isEnum()) {
            return null;
        }
        try {
            return this.mappingContext.hasPersistentEntityFor(type) ? this.mappingContext.getPersistentEntity(type)
                    : null;
        }
        catch (RuntimeException ex) {
            return null;
        }
    }

    private Set<Object> normalizedSet(Set<?> values) {
        Set<Object> normalized = new HashSet<>();
        for (Object value : values) {
            normalized.add(normalizedScalar(value));
        }
        return normalized;
    }

    private static @Nullable Object normalizedScalar(@Nullable Object value) {
        if (value instanceof Number number) {
            BigDecimal decimal = toBigDecimal(number);
            return (decimal != null) ? decimal.stripTrailingZeros() : number;
        }
        Object time = (value != null) ? normalizedTime(value) : null;
        return (time != null) ? time : value;
    }

    static boolean numbersEqual(Number left, Number right) {
        BigDecimal l = toBigDecimal(left);
        BigDecimal r = toBigDecimal(right);
        return (l != null && r != null) ? l.compareTo(r) == 0 : left.equals(right);
    }

    private static @Nullable BigDecimal toBigDecimal(Number number) {
        if (number instanceof BigDecimal decimal) {
            return decimal;
        }
        if (number instanceof BigInteger integer) {
            return new BigDecimal(integer);
        }
        if (number instanceof Double || number instanceof Float) {
            double value = number.doubleValue();
            // NaN and infinities have no decimal form; compare them with equals.
            return (Double.isNaN(value) || Double.isInfinite(value)) ? null : new BigDecimal(Double.toString(value));
        }
        if (number instanceof Long || number instanceof Integer || number instanceof Short
                || number instanceof Byte) {
            return BigDecimal.valueOf(number.longValue());
        }
        return null;
    }

    // PostgreSQL keeps microseconds, rounded half up by the JDBC driver that sends them (so
    // .1234565 is stored as .123457); timestamptz keeps the instant, not the zone.
    static @Nullable Object normalizedTime(Object value) {
        if (value instanceof Instant instant) {
            return toMicros(instant);
        }
        if (value instanceof OffsetDateTime time) {
            return toMicros(time.toInstant());
        }
        if (value instanceof ZonedDateTime time) {
            return toMicros(time.toInstant());
        }
        if (value instanceof Timestamp timestamp) {
            return toMicros(timestamp.toInstant());
        }
        if (value instanceof java.sql.Date date) {
            return date.toLocalDate();
        }
        if (value instanceof java.sql.Time time) {
            return time.toLocalTime();
        }
        if (value instanceof Date date) {
            return date.toInstant();
        }
        if (value instanceof LocalDateTime time) {
            return toMicros(time);
        }
        if (value instanceof LocalTime time) {
            return toMicros(time);
        }
        return null;
    }

    private static Instant toMicros(Instant instant) {
        return instant.plusNanos(500).truncatedTo(ChronoUnit.MICROS);
    }

    private static LocalDateTime toMicros(LocalDateTime time) {
        return time.plusNanos(500).truncatedTo(ChronoUnit.MICROS);
    }

    private static LocalTime toMicros(LocalTime time) {
        return time.plusNanos(500).truncatedTo(ChronoUnit.MICROS);
    }

    private static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String name(String path) {
        return path.isEmpty() ? "<value>" : path;
    }

    /**
     * The two values of a differing property, as strings; only put in a report when values
     * were asked for, since they may hold personal data.
     * @param redis the value in Redis
     * @param postgres the value in PostgreSQL
     */
    public record FieldValues(@Nullable String redis, @Nullable String postgres) {

        static FieldValues of(@Nullable Object redis, @Nullable Object postgres) {
            return new FieldValues((redis != null) ? String.valueOf(redis) : null,
                    (postgres != null) ? String.valueOf(postgres) : null);
        }

    }

}
