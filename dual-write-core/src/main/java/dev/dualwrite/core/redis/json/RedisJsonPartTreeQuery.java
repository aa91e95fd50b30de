package dev.dualwrite.core.redis.json;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.IncorrectResultSizeDataAccessException;
import org.springframework.data.core.PropertyReferenceException;
import org.springframework.data.domain.Limit;
import org.springframework.data.domain.Sort;
import org.springframework.data.repository.query.ParametersParameterAccessor;
import org.springframework.data.repository.query.QueryCreationException;
import org.springframework.data.repository.query.QueryMethod;
import org.springframework.data.repository.query.RepositoryQuery;
import org.springframework.data.repository.query.parser.Part;
import org.springframework.data.repository.query.parser.PartTree;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

/**
 * A derived query method ({@code findByHolderAddress}, {@code countByHolderFid},
 * {@code deleteByExpiresAtBefore}, ...) of a Redis JSON repository.
 * <p>
 * Every call is a full {@code SCAN} of the entity's key prefix that decodes each value and
 * filters in memory (see {@link QueryPredicates} for the semantics), which suits small
 * keyspaces; the dual-write library routes such reads to PostgreSQL once reads move there.
 * Unsorted {@code Stream} results are lazy and read one batch at a time; sorted results are
 * sorted in memory. A derived delete removes a matching key only if its value is still the
 * one that matched, and returns the entities it removed or their number. Keys deleted while
 * the scan runs are simply not matched; values that cannot be read are left out or fail the
 * call, as the {@link UnreadableValuePolicy} says.
 * <p>
 * Everything that cannot be evaluated (an unsupported keyword, a keyword on a property of
 * the wrong type, a return type or parameter this module does not support) fails when the
 * repository is created, with a message naming the repository, the method and the problem.
 * @param <T> the entity type
 */
final class RedisJsonPartTreeQuery<T> implements RepositoryQuery {

    private static final Set<Class<?>> COUNT_TYPES = Set.of(long.class, Long.class, int.class, Integer.class);

    private static final Set<Class<?>> BOOLEAN_TYPES = Set.of(boolean.class, Boolean.class);

    private static final Set<Class<?>> MANY_TYPES = Set.of(List.class, Collection.class, Iterable.class);

    private enum Execution {

        COUNT, EXISTS, DELETE, STREAM, MANY, ONE

    }

    private final QueryMethod queryMethod;

    private final Class<?> returnType;

    private final PartTree tree;

    private final Execution execution;

    private final RedisJsonStore<T, ?> store;

    private final QueryPredicates<T> predicates;

    private final RedisJsonSorting<T> sorting;

    RedisJsonPartTreeQuery(Method method, QueryMethod queryMethod, RedisJsonStore<T, ?> store,
            QueryPredicates<T> predicates, RedisJsonSorting<T> sorting) {
        Assert.notNull(method, "method must not be null");
        Assert.notNull(queryMethod, "queryMethod must not be null");
        this.queryMethod = queryMethod;
        this.returnType = method.getReturnType();
        this.store = store;
        this.predicates = predicates;
        this.sorting = sorting;
        Class<T> domainType = store.getEntityInformation().getJavaType();
        try {
            this.tree = new PartTree(method.getName(), domainType);
        }
        catch (PropertyReferenceException | IllegalArgumentException ex) {
            throw failure(method, ex.getMessage(), ex);
        }
        for (Part part : this.tree.getParts()) {
            String problem = QueryPredicates.problem(part);
            if (problem != null) {
                throw failure(method, problem, null);
            }
        }
        try {
            sorting.validate(this.tree.getSort());
        }
        catch (IllegalArgumentException ex) {
            throw failure(method, ex.getMessage(), ex);
        }
        checkParameters(method);
        this.execution = execution(method, domainType);
    }

    private void checkParameters(Method method) {
        var parameters = this.queryMethod.getParameters();
        if (parameters.hasPageableParameter()) {
            throw failure(method, "Pageable parameters are not supported by derived queries; use Sort and Limit "
                    + "parameters, or findAll(Pageable)", null);
        }
        if (parameters.hasScrollPositionParameter() || parameters.hasDynamicProjection()
                || parameters.hasVectorParameter() || parameters.hasScoreParameter()
                || parameters.hasScoreRangeParameter()) {
            throw failure(method, "only Sort and Limit are supported as special parameters", null);
        }
    }

    private Execution execution(Method method, Class<T> domainType) {
        boolean projecting = this.queryMethod.getResultProcessor().getReturnedType().isProjecting();
        if (this.tree.isCountProjection()) {
            return require(method, COUNT_TYPES.contains(this.returnType), Execution.COUNT, "long, Long, int or Integer");
        }
        if (this.tree.isExistsProjection()) {
            return require(method, BOOLEAN_TYPES.contains(this.returnType), Execution.EXISTS, "boolean or Boolean");
        }
        if (this.tree.isDelete()) {
            boolean supported = this.returnType == void.class || COUNT_TYPES.contains(this.returnType)
                    || (MANY_TYPES.contains(this.returnType) && !projecting);
            return require(method, supported, Execution.DELETE,
                    "void, long, int (the number deleted) or List, Collection, Iterable of " + domainType.getSimpleName());
        }
        String expected = domainType.getSimpleName() + ", Optional, List, Collection, Iterable or Stream of "
                + domainType.getSimpleName() + " (no projections)";
        if (projecting) {
            throw unsupportedReturnType(method, expected);
        }
        if (this.returnType == Stream.class) {
            return Execution.STREAM;
        }
        if (MANY_TYPES.contains(this.returnType)) {
            return Execution.MANY;
        }
        return require(method, this.returnType == Optional.class || this.returnType.isAssignableFrom(domainType)
                && this.returnType != Object.class, Execution.ONE, expected);
    }

    private Execution require(Method method, boolean supported, Execution execution, String expected) {
        if (!supported) {
            throw unsupportedReturnType(method, expected);
        }
        return execution;
    }

    private QueryCreationException unsupportedReturnType(Method method, String expected) {
        return failure(method, "return type " + method.getGenericReturnType().getTypeName()
                + " is not supported here; use " + expected, null);
    }

    private QueryCreationException failure(Method method, @Nullable String problem, @Nullable Throwable cause) {
        String message = "Cannot derive a Redis JSON query for " + this.queryMethod.getEntityInformation().getJavaType()
            .getSimpleName() + " from method " + method.getName() + "(" + parameterTypes(method) + ") of repository "
                + method.getDeclaringClass().getName() + ": " + problem;
        return QueryCreationException.create(this.queryMethod, message, cause);
    }

    private static String parameterTypes(Method method) {
        return Stream.of(method.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", "));
    }

    @Override
    public QueryMethod getQueryMethod() {
        return this.queryMethod;
    }

    @Override
    public @Nullable Object execute(@Nullable Object[] parameters) {
        ParametersParameterAccessor accessor = new ParametersParameterAccessor(this.queryMethod.getParameters(),
                parameters);
        Predicate<T> predicate = this.predicates.create(this.tree, accessor.iterator());
        Sort sort = this.tree.getSort().and(accessor.getSort());
        long limit = limit(accessor.getLimit());
        return switch (this.execution) {
            case COUNT -> countResult(count(predicate));
            case EXISTS -> exists(predicate);
            case DELETE -> delete(predicate);
            case STREAM -> stream(predicate, sort, limit);
            case MANY -> list(predicate, sort, limit);
            case ONE -> one(predicate, sort, limit);
        };
    }

    private long limit(Limit dynamic) {
        long limit = Long.MAX_VALUE;
        if (this.tree.isLimiting() && this.tree.getMaxResults() != null) {
            limit = this.tree.getMaxResults();
        }
        if (dynamic.isLimited()) {
            limit = Math.min(limit, dynamic.max());
        }
        return limit;
    }

    private Stream<RedisJsonEntry<T>> matches(Predicate<T> predicate) {
        return this.store.stream().filter((entry) -> predicate.test(entry.entity()));
    }

    private long count(Predicate<T> predicate) {
        try (Stream<RedisJsonEntry<T>> matches = matches(predicate)) {
            return matches.count();
        }
    }

    private Object countResult(long count) {
        boolean narrow = this.returnType == int.class || this.returnType == Integer.class;
        return narrow ? Math.toIntExact(count) : count;
    }

    private boolean exists(Predicate<T> predicate) {
        try (Stream<RedisJsonEntry<T>> matches = matches(predicate)) {
            return matches.findAny().isPresent();
        }
    }

    private @Nullable Object delete(Predicate<T> predicate) {
        List<RedisJsonEntry<T>> matches;
        try (Stream<RedisJsonEntry<T>> stream = matches(predicate)) {
            matches = stream.toList();
        }
        List<RedisJsonEntry<T>> deleted = this.store.deleteIfUnchanged(matches);
        if (this.returnType == void.class) {
            return null;
        }
        if (COUNT_TYPES.contains(this.returnType)) {
            return countResult(deleted.size());
        }
        return deleted.stream().map(RedisJsonEntry::entity).toList();
    }

    private Stream<T> stream(Predicate<T> predicate, Sort sort, long limit) {
        if (sort.isSorted()) {
            return list(predicate, sort, limit).stream();
        }
        // Unsorted: stay lazy, so only one batch of values is in memory at a time.
        return matches(predicate).limit(limit).map(RedisJsonEntry::entity);
    }

    private List<T> list(Predicate<T> predicate, Sort sort, long limit) {
        try (Stream<RedisJsonEntry<T>> matches = matches(predicate)) {
            Stream<RedisJsonEntry<T>> ordered = sort.isSorted() ? matches.sorted(this.sorting.comparator(sort))
                    : matches;
            return ordered.limit(limit).map(RedisJsonEntry::entity).toList();
        }
    }

    private @Nullable T one(Predicate<T> predicate, Sort sort, long limit) {
        // Two are enough to tell "one" from "more than one".
        List<T> found = list(predicate, sort, Math.min(limit, 2));
        if (found.size() > 1) {
            throw new IncorrectResultSizeDataAccessException("Derived query " + this.queryMethod.getName() + " of "
                    + ClassUtils.getShortName(this.store.getEntityInformation().getJavaType())
                    + " expects at most one result but found more; add First/Top or narrow the criteria", 1);
        }
        return found.isEmpty() ? null : found.get(0);
    }

}
