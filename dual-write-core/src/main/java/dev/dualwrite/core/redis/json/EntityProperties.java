package dev.dualwrite.core.redis.json;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.data.core.PropertyPath;
import org.springframework.data.mapping.AccessOptions;
import org.springframework.data.mapping.AccessOptions.GetOptions.GetNulls;
import org.springframework.data.mapping.PersistentPropertyPath;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

/**
 * Reads property paths such as {@code holder.address} from decoded entities through Spring
 * Data's mapping metadata, for sorting and derived queries; a {@code null} on the way makes
 * the value {@code null}.
 * @param <T> the entity type
 */
final class EntityProperties<T> {

    private static final AccessOptions.GetOptions GET_OPTIONS = AccessOptions.defaultGetOptions()
        .withNullValues(GetNulls.EARLY_RETURN);

    private final RedisJsonMappingContext mappingContext;

    private final RedisJsonPersistentEntity<T> entity;

    private final Map<String, PersistentPropertyPath<RedisJsonPersistentProperty>> paths = new ConcurrentHashMap<>();

    EntityProperties(RedisJsonMappingContext mappingContext, RedisJsonPersistentEntity<T> entity) {
        Assert.notNull(mappingContext, "mappingContext must not be null");
        Assert.notNull(entity, "entity must not be null");
        this.mappingContext = mappingContext;
        this.entity = entity;
    }

    Class<T> type() {
        return this.entity.getType();
    }

    /**
     * Resolve a dot path on the entity type.
     * @param dotPath a path such as {@code holder.address}
     * @return the property path
     * @throws org.springframework.data.core.PropertyReferenceException when no such property exists
     */
    PropertyPath path(String dotPath) {
        return PropertyPath.from(dotPath, type());
    }

    /**
     * Return why a path cannot be read for filtering or sorting, or {@code null} when it can:
     * values behind a collection or map are not single values.
     */
    static @Nullable String unreadable(PropertyPath path) {
        PropertyPath segment = path;
        while (segment.hasNext()) {
            if (segment.isCollection() || segment.getTypeInformation().isMap()) {
                return "it goes through the collection or map '" + segment.getSegment() + "'";
            }
            segment = segment.next();
        }
        return null;
    }

    /** Return whether the leaf of a path holds {@link Comparable} values (after boxing). */
    static boolean isComparable(PropertyPath path) {
        PropertyPath leaf = path.getLeafProperty();
        return !leaf.isCollection() && !leaf.getTypeInformation().isMap()
                && Comparable.class.isAssignableFrom(ClassUtils.resolvePrimitiveIfNecessary(leaf.getType()));
    }

    /**
     * Read the value of a path.
     * @param bean the entity
     * @param path a path that {@link #unreadable(PropertyPath)} accepts
     * @return the value, or {@code null} when it or a property on the way is {@code null}
     */
    @Nullable Object read(T bean, PropertyPath path) {
        PersistentPropertyPath<RedisJsonPersistentProperty> persistentPath = this.paths
            .computeIfAbsent(path.toDotPath(), (dotPath) -> this.mappingContext.getPersistentPropertyPath(path));
        return this.entity.getPropertyPathAccessor(bean).getProperty(persistentPath, GET_OPTIONS);
    }

}
