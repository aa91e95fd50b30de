package dev.dualwrite.core.verify;

import java.util.List;
import java.util.Map;

import dev.dualwrite.core.compare.EntityComparator.FieldValues;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * One key on which the stores differ.
 * @param key the entity key (the id as a string, as in repair records)
 * @param kind how they differ
 * @param fields the paths of the differing properties ({@link DifferenceKind#CONTENT} only)
 * @param values both values of each differing property, only when values were asked for
 * (they may hold personal data); {@code null} otherwise
 * @param problem why the Redis value does not decode ({@link DifferenceKind#UNREADABLE_IN_REDIS}
 * only), without quoting it
 */
public record Difference(String key, DifferenceKind kind, List<String> fields,
        @Nullable Map<String, FieldValues> values, @Nullable String problem) {

    public Difference {
        Assert.notNull(key, "key must not be null");
        Assert.notNull(kind, "kind must not be null");
        fields = List.copyOf(fields);
        values = (values != null) ? Map.copyOf(values) : null;
    }

    static Difference of(String key, DifferenceKind kind) {
        return new Difference(key, kind, List.of(), null, null);
    }

}
