package dev.dualwrite.core.routing;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Tells what a repository method does, so the interceptor can route it: the
 * {@code CrudRepository} writes one by one, derived deletes, and reads (CRUD, paging and
 * derived queries). Anything else cannot be routed safely.
 */
final class RepositoryMethods {

    enum Kind {

        SAVE, SAVE_ALL, DELETE, DELETE_BY_ID, DELETE_ALL_BY_ID, DELETE_ALL_ENTITIES, DELETE_ALL, DERIVED_DELETE, READ,
        OBJECT_METHOD, UNKNOWN

    }

    // Spring Data's subject prefixes (PartTree): findBy, findAllBy, findFirst10By, countBy, existsBy...
    private static final Pattern DERIVED_READ = Pattern
        .compile("^(find|read|get|query|search|stream|count|exists)\\w*?By\\p{Lu}\\w*$");

    private static final Pattern DERIVED_DELETE = Pattern.compile("^(delete|remove)\\w*?By\\p{Lu}\\w*$");

    private static final Map<String, Kind> CRUD_READS = Map.of("findById", Kind.READ, "existsById", Kind.READ,
            "findAll", Kind.READ, "findAllById", Kind.READ, "count", Kind.READ);

    private final Map<Method, Kind> kinds = new ConcurrentHashMap<>();

    Kind kindOf(Method method) {
        return this.kinds.computeIfAbsent(method, RepositoryMethods::classify);
    }

    private static Kind classify(Method method) {
        if (method.getDeclaringClass() == Object.class) {
            return Kind.OBJECT_METHOD;
        }
        String name = method.getName();
        int arity = method.getParameterCount();
        if (arity == 1) {
            switch (name) {
                case "save": return Kind.SAVE;
                case "saveAll": return Kind.SAVE_ALL;
                case "delete": return Kind.DELETE;
                case "deleteById": return Kind.DELETE_BY_ID;
                case "deleteAllById": return Kind.DELETE_ALL_BY_ID;
                case "deleteAll": return Kind.DELETE_ALL_ENTITIES;
                default: break;
            }
        }
        if (arity == 0 && name.equals("deleteAll")) {
            return Kind.DELETE_ALL;
        }
        if (CRUD_READS.containsKey(name)) {
            return Kind.READ;
        }
        if (DERIVED_DELETE.matcher(name).matches()) {
            return Kind.DERIVED_DELETE;
        }
        if (DERIVED_READ.matcher(name).matches()) {
            return Kind.READ;
        }
        return Kind.UNKNOWN;
    }

}
