package dev.dualwrite.core.redis.json;

/**
 * Everything one entity type needs at run time, built once per repository factory and
 * entity type, so that the repository and its derived queries share it.
 * @param information ids and keys
 * @param store Redis access
 * @param sorting in-memory sorting
 * @param predicates in-memory filters of derived queries
 * @param <T> the entity type
 * @param <ID> the id type
 */
record RedisJsonEntitySupport<T, ID>(RedisJsonEntityInformation<T, ID> information, RedisJsonStore<T, ID> store,
        RedisJsonSorting<T> sorting, QueryPredicates<T> predicates) {
}
