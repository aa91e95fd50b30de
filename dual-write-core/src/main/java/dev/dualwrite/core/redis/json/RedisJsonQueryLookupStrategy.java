package dev.dualwrite.core.redis.json;

import java.lang.reflect.Method;
import java.util.function.Function;

import org.springframework.data.projection.ProjectionFactory;
import org.springframework.data.repository.core.NamedQueries;
import org.springframework.data.repository.core.RepositoryMetadata;
import org.springframework.data.repository.query.DefaultParameters;
import org.springframework.data.repository.query.QueryCreationException;
import org.springframework.data.repository.query.QueryLookupStrategy;
import org.springframework.data.repository.query.QueryMethod;
import org.springframework.data.repository.query.RepositoryQuery;
import org.springframework.util.Assert;

/**
 * Creates every query method of a Redis JSON repository from its name ({@code PartTree});
 * there are no declared or named queries, since Redis has no query language for JSON strings.
 */
final class RedisJsonQueryLookupStrategy implements QueryLookupStrategy {

    private final Function<RepositoryMetadata, RedisJsonEntitySupport<?, ?>> entities;

    private final boolean declaredOnly;

    /**
     * Create the strategy.
     * @param entities the run-time support of the repository's entity type
     * @param key the configured lookup strategy; {@code USE_DECLARED_QUERY} fails each query method
     */
    RedisJsonQueryLookupStrategy(Function<RepositoryMetadata, RedisJsonEntitySupport<?, ?>> entities, Key key) {
        Assert.notNull(entities, "entities must not be null");
        this.entities = entities;
        this.declaredOnly = key == Key.USE_DECLARED_QUERY;
    }

    @Override
    public RepositoryQuery resolveQuery(Method method, RepositoryMetadata metadata, ProjectionFactory factory,
            NamedQueries namedQueries) {
        QueryMethod queryMethod = new QueryMethod(method, metadata, factory, DefaultParameters::new);
        if (this.declaredOnly) {
            throw QueryCreationException.create(queryMethod, "Redis JSON repositories have no declared queries; "
                    + "remove queryLookupStrategy = USE_DECLARED_QUERY so that " + metadata.getRepositoryInterface()
                        .getName() + "." + method.getName() + " is derived from its name");
        }
        return create(method, queryMethod, this.entities.apply(metadata));
    }

    private static <T> RepositoryQuery create(Method method, QueryMethod queryMethod,
            RedisJsonEntitySupport<T, ?> entity) {
        return new RedisJsonPartTreeQuery<>(method, queryMethod, entity.store(), entity.predicates(),
                entity.sorting());
    }

}
