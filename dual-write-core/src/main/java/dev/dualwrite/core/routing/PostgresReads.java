package dev.dualwrite.core.routing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import dev.dualwrite.core.expiry.KeyExpiry;
import dev.dualwrite.core.pair.DualRepository;
import org.jspecify.annotations.Nullable;

import org.springframework.data.domain.Slice;
import org.springframework.util.ReflectionUtils;

/**
 * Serves a read from PostgreSQL by calling the method of the same name and parameter types
 * on the paired Spring Data JDBC repository, then converting what it returns (entities,
 * {@code Optional}, collections, streams, pages) to the Redis repository's entity type.
 * <p>
 * A read with no counterpart fails with a message naming both repositories and the method
 * to declare, rather than silently reading the other store.
 */
final class PostgresReads {

    // By PostgreSQL interface too: an inherited method (CrudRepository.findAll) is one Method
    // for every repository, while its counterpart depends on each repository's interface.
    private final Map<Counterpart, Optional<Method>> counterparts = new ConcurrentHashMap<>();

    @Nullable Object read(DualRepository<?, ?, ?> repository, Method method, @Nullable Object[] args) {
        Method counterpart = counterpart(repository, method)
            .orElseThrow(() -> new UnroutableMethodException(repository.name(), method,
                    "reads come from PostgreSQL in this stage, but " + repository.postgresInterface().getSimpleName()
                            + " declares no " + method.getName() + " with the same parameter types; declare it there"));
        if (repository.expiry().enabled()) {
            Optional<Object> answered = ExpiringReads.answer(repository, method, args);
            if (answered.isPresent()) {
                return answered.get();
            }
        }
        try {
            return toRedisTypes(repository, counterpart.invoke(repository.postgresRepository(), args));
        }
        catch (InvocationTargetException ex) {
            ReflectionUtils.rethrowRuntimeException(ex.getTargetException());
            throw new IllegalStateException(ex);
        }
        catch (IllegalAccessException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private Optional<Method> counterpart(DualRepository<?, ?, ?> repository, Method method) {
        return this.counterparts.computeIfAbsent(new Counterpart(repository.postgresInterface(), method),
                (key) -> Optional.ofNullable(ReflectionUtils.findMethod(key.postgresInterface(),
                        method.getName(), method.getParameterTypes())));
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static @Nullable Object toRedisTypes(DualRepository<?, ?, ?> repository, @Nullable Object result) {
        if (result == null) {
            return null;
        }
        DualRepository<Object, Object, Object> pair = (DualRepository<Object, Object, Object>) repository;
        // Rows whose expiry has passed are gone for every read, before the sweep deletes them.
        KeyExpiry<Object, Object, Object> expiry = pair.expiry();
        if (pair.postgres().entityType().isInstance(result)) {
            return expiry.isLive(result) ? expiry.withTimeLeft(pair.mapping().toRedis(result), result) : null;
        }
        if (result instanceof Optional<?> optional) {
            return optional.filter(expiry::isLive).map((value) -> toRedisTypes(repository, value));
        }
        if (result instanceof Slice<?> slice) {
            return ExpiringReads.liveSlice(slice, expiry).map((value) -> toRedisTypes(repository, value));
        }
        if (result instanceof Stream<?> stream) {
            return stream.filter(expiry::isLive).map((value) -> toRedisTypes(repository, value));
        }
        if (result instanceof Set<?> set) {
            Set converted = new LinkedHashSet<>();
            set.stream().filter(expiry::isLive).forEach((value) -> converted.add(toRedisTypes(repository, value)));
            return converted;
        }
        if (result instanceof Iterable<?> iterable) {
            List converted = (result instanceof Collection<?> c) ? new ArrayList<>(c.size()) : new ArrayList<>();
            iterable.forEach((value) -> {
                if (expiry.isLive(value)) {
                    converted.add(toRedisTypes(repository, value));
                }
            });
            return converted;
        }
        // Counts, booleans and projections are the same whichever store answered.
        return result;
    }

    private record Counterpart(Class<?> postgresInterface, Method method) {
    }

}
