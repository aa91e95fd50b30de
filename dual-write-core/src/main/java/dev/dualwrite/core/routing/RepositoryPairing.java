package dev.dualwrite.core.routing;

import java.util.function.Function;

import dev.dualwrite.core.pair.EntityMapping;
import org.jspecify.annotations.Nullable;

import org.springframework.data.repository.Repository;
import org.springframework.util.Assert;

/**
 * Pairs the application's Redis repository with a PostgreSQL repository explicitly; declare
 * one as a bean per pair. Needed when the pairing is ambiguous, or when the two sides use
 * different entity types:
 * <pre class="code">
 * &#64;Bean
 * RepositoryPairing&lt;Token, TokenRow&gt; tokens() {
 *     return RepositoryPairing.of("tokens", TokenRepository.class, TokenRowRepository.class)
 *         .mappedBy(TokenRow::fromToken, TokenRow::toToken);
 * }
 * </pre>
 * Repositories that share a domain type and are unambiguous are paired without one.
 * @param <R> the Redis entity type
 * @param <P> the PostgreSQL entity type
 */
public final class RepositoryPairing<R, P> {

    private final String name;

    private final Class<? extends Repository<R, ?>> redisRepository;

    private final Class<? extends Repository<P, ?>> postgresRepository;

    private final @Nullable EntityMapping<R, P> mapping;

    private RepositoryPairing(String name, Class<? extends Repository<R, ?>> redisRepository,
            Class<? extends Repository<P, ?>> postgresRepository, @Nullable EntityMapping<R, P> mapping) {
        this.name = name;
        this.redisRepository = redisRepository;
        this.postgresRepository = postgresRepository;
        this.mapping = mapping;
    }

    /**
     * Pair two repository interfaces under a name (used in properties, meters and repair
     * records, e.g. {@code dual-write.repositories.<name>.strategy}).
     * @param name the repository name
     * @param redisRepository the application's Redis repository interface (the one it injects)
     * @param postgresRepository the Spring Data JDBC repository interface
     * @param <R> the Redis entity type
     * @param <P> the PostgreSQL entity type
     * @return the pairing, with an identity mapping until {@link #mappedBy} is called
     */
    public static <R, P> RepositoryPairing<R, P> of(String name, Class<? extends Repository<R, ?>> redisRepository,
            Class<? extends Repository<P, ?>> postgresRepository) {
        Assert.hasText(name, "name must not be empty");
        Assert.notNull(redisRepository, "redisRepository must not be null");
        Assert.notNull(postgresRepository, "postgresRepository must not be null");
        return new RepositoryPairing<>(name, redisRepository, postgresRepository, null);
    }

    /**
     * Return a copy of this pairing that converts entities with the given functions.
     * @param toPostgres converts a Redis entity to a PostgreSQL entity
     * @param toRedis converts a PostgreSQL entity back, the inverse of {@code toPostgres}
     * @return the new pairing
     */
    public RepositoryPairing<R, P> mappedBy(Function<? super R, ? extends P> toPostgres,
            Function<? super P, ? extends R> toRedis) {
        return new RepositoryPairing<>(this.name, this.redisRepository, this.postgresRepository,
                EntityMapping.of(toPostgres, toRedis));
    }

    public String name() {
        return this.name;
    }

    public Class<? extends Repository<R, ?>> redisRepository() {
        return this.redisRepository;
    }

    public Class<? extends Repository<P, ?>> postgresRepository() {
        return this.postgresRepository;
    }

    /**
     * Return the entity mapping, or {@code null} when both sides share one domain type.
     * @return the mapping
     */
    public @Nullable EntityMapping<R, P> mapping() {
        return this.mapping;
    }

}
