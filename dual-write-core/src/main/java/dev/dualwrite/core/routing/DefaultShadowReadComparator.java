package dev.dualwrite.core.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.dualwrite.core.compare.EntityComparator;
import dev.dualwrite.core.expiry.KeyExpiry;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.pair.EntityMapping;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ShadowReadComparator} used unless the application declares one: entities are
 * compared in the PostgreSQL entity type, property by property through its mapping (as the
 * verifier does, so representation details such as timestamp precision do not count);
 * results holding several entities are compared key by key; anything else with
 * {@code equals}.
 */
final class DefaultShadowReadComparator implements ShadowReadComparator {

    private final DualRepository<Object, Object, Object> repository;

    private final EntityComparator entities;

    DefaultShadowReadComparator(DualRepository<Object, Object, Object> repository, EntityComparator entities) {
        this.repository = repository;
        this.entities = entities;
    }

    @Override
    public String repository() {
        return this.repository.name();
    }

    @Override
    public List<String> differences(@Nullable Object readStoreResult, @Nullable Object otherStoreResult) {
        Object left = unwrap(readStoreResult);
        Object right = unwrap(otherStoreResult);
        if (left instanceof Iterable<?> leftItems && right instanceof Iterable<?> rightItems) {
            Map<Object, Object> leftById = byId(leftItems);
            Map<Object, Object> rightById = byId(rightItems);
            if (leftById != null && rightById != null) {
                return keyedDifferences(leftById, rightById);
            }
        }
        if (isEntity(left) && isEntity(right)) {
            return entityDifferences(left, right);
        }
        return Objects.equals(left, right) ? List.of() : List.of((left == null || right == null) ? "missing" : "value");
    }

    private List<String> keyedDifferences(Map<Object, Object> left, Map<Object, Object> right) {
        List<String> differences = new ArrayList<>();
        if (!left.keySet().equals(right.keySet())) {
            differences.add("missing");
        }
        left.forEach((id, entity) -> {
            Object other = right.get(id);
            if (other != null) {
                entityDifferences(entity, other).stream()
                    .filter((field) -> !differences.contains(field))
                    .forEach(differences::add);
            }
        });
        return differences;
    }

    private List<String> entityDifferences(Object left, Object right) {
        EntityMapping<Object, Object> mapping = this.repository.mapping();
        // A Redis value holds no expiry (its key does), so the expiry column is not compared.
        KeyExpiry<Object, Object, Object> expiry = this.repository.expiry();
        return this.entities.differingFields(expiry.withoutExpiry(mapping.toPostgres(left)),
                expiry.withoutExpiry(mapping.toPostgres(right)));
    }

    private @Nullable Map<Object, Object> byId(Iterable<?> items) {
        Map<Object, Object> byId = new LinkedHashMap<>();
        for (Object item : items) {
            if (!isEntity(item)) {
                return null;
            }
            byId.put(Objects.requireNonNullElse(this.repository.old().idOf(item), item), item);
        }
        return byId;
    }

    private boolean isEntity(@Nullable Object value) {
        return this.repository.old().entityType().isInstance(value);
    }

    private static @Nullable Object unwrap(@Nullable Object result) {
        return (result instanceof Optional<?> optional) ? optional.orElse(null) : result;
    }

}
