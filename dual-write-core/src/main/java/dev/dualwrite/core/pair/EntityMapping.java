package dev.dualwrite.core.pair;

import java.util.function.Function;

import org.springframework.util.Assert;

/**
 * Converts between the entity type of the Redis repository and that of the PostgreSQL
 * repository when the two differ. Both sides must keep the same id.
 * @param <R> the Redis entity type
 * @param <P> the PostgreSQL entity type
 */
public interface EntityMapping<R, P> {

    P toPostgres(R entity);

    R toRedis(P entity);

    /**
     * Return the mapping of two repositories that share one domain type.
     * @param <T> the shared entity type
     * @return a mapping that returns its argument
     */
    static <T> EntityMapping<T, T> identity() {
        return of(Function.identity(), Function.identity());
    }

    /**
     * Return a mapping made of two functions, which must be inverse of each other.
     * @param toPostgres converts a Redis entity to a PostgreSQL entity
     * @param toRedis converts a PostgreSQL entity to a Redis entity
     * @param <R> the Redis entity type
     * @param <P> the PostgreSQL entity type
     * @return the mapping
     */
    static <R, P> EntityMapping<R, P> of(Function<? super R, ? extends P> toPostgres,
            Function<? super P, ? extends R> toRedis) {
        Assert.notNull(toPostgres, "toPostgres must not be null");
        Assert.notNull(toRedis, "toRedis must not be null");
        return new EntityMapping<>() {

            @Override
            public P toPostgres(R entity) {
                return toPostgres.apply(entity);
            }

            @Override
            public R toRedis(P entity) {
                return toRedis.apply(entity);
            }

        };
    }

}
