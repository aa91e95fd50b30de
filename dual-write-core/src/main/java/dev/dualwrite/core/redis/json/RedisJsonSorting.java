package dev.dualwrite.core.redis.json;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.data.core.PropertyPath;
import org.springframework.data.domain.Sort;
import org.springframework.util.Assert;

/**
 * Turns a {@link Sort} into an in-memory order of decoded entities.
 * <p>
 * Guarantees: every sort property must be a path of single {@link Comparable} values (checked
 * when the comparator is built, with an {@link IllegalArgumentException} naming the
 * property); {@code ignoreCase} compares strings case-insensitively; {@code null} values
 * follow PostgreSQL's default unless the order says otherwise (last when ascending, first
 * when descending), so results agree with PostgreSQL once reads move there; ties are broken
 * by Redis key, so the order is stable between calls.
 * @param <T> the entity type
 */
public final class RedisJsonSorting<T> {

    private final EntityProperties<T> properties;

    RedisJsonSorting(EntityProperties<T> properties) {
        Assert.notNull(properties, "properties must not be null");
        this.properties = properties;
    }

    /**
     * Build the order of entries for a sort.
     * @param sort the sort, possibly unsorted
     * @return a comparator that orders by {@code sort}, then by key
     * @throws IllegalArgumentException when a sort property cannot be used
     * @throws org.springframework.data.core.PropertyReferenceException when a sort property does not exist
     */
    public Comparator<RedisJsonEntry<T>> comparator(Sort sort) {
        Assert.notNull(sort, "sort must not be null");
        List<Comparator<RedisJsonEntry<T>>> orders = new ArrayList<>();
        for (Sort.Order order : sort) {
            orders.add(comparator(order));
        }
        Comparator<RedisJsonEntry<T>> byKey = Comparator.comparing(RedisJsonEntry::key);
        return orders.stream().reduce(Comparator::thenComparing).map((c) -> c.thenComparing(byKey)).orElse(byKey);
    }

    /**
     * Check that a sort can be used, without building anything.
     * @param sort the sort
     * @throws IllegalArgumentException when a sort property cannot be used
     */
    void validate(Sort sort) {
        comparator(sort);
    }

    private Comparator<RedisJsonEntry<T>> comparator(Sort.Order order) {
        PropertyPath path = this.properties.path(order.getProperty());
        String problem = EntityProperties.unreadable(path);
        if (problem == null && !EntityProperties.isComparable(path)) {
            problem = "its type " + path.getLeafType().getName() + " is not Comparable";
        }
        if (problem != null) {
            throw new IllegalArgumentException("Cannot sort " + this.properties.type().getName() + " by '"
                    + order.getProperty() + "': " + problem);
        }
        boolean nullsFirst = switch (order.getNullHandling()) {
            case NULLS_FIRST -> true;
            case NULLS_LAST -> false;
            case NATIVE -> order.isDescending();
        };
        boolean ignoreCase = order.isIgnoreCase();
        boolean descending = order.isDescending();
        return (left, right) -> {
            Object a = this.properties.read(left.entity(), path);
            Object b = this.properties.read(right.entity(), path);
            if (a == null || b == null) {
                // Null placement is explicit, so it does not flip with the direction.
                return (a == b) ? 0 : ((a == null) == nullsFirst) ? -1 : 1;
            }
            int result = compare(a, b, ignoreCase);
            return descending ? -result : result;
        };
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    static int compare(Object a, @Nullable Object b, boolean ignoreCase) {
        if (ignoreCase && a instanceof String left && b instanceof String right) {
            return left.toLowerCase(Locale.ROOT).compareTo(right.toLowerCase(Locale.ROOT));
        }
        return ((Comparable) a).compareTo(b);
    }

}
