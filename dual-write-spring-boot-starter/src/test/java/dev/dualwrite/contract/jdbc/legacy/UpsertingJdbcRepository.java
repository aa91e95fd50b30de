package dev.dualwrite.contract.jdbc.legacy;

import java.util.ArrayList;
import java.util.List;

import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.jdbc.core.convert.JdbcConverter;
import org.springframework.data.jdbc.repository.support.SimpleJdbcRepository;
import org.springframework.data.mapping.PersistentEntity;
import org.springframework.transaction.annotation.Transactional;

/**
 * The base class of the old application's repositories: a save writes the entity by its id
 * whether or not the row exists (an update of the row, else an insert), as the Redis
 * repositories the contract was first written for do. Plain Spring Data JDBC would take an
 * entity with its id set for an existing row and fail the update of a missing one; an
 * application whose ids it assigns itself needs a save like this one to create rows at all.
 * @param <T> the entity type
 * @param <ID> the id type
 */
public class UpsertingJdbcRepository<T, ID> extends SimpleJdbcRepository<T, ID> {

    private final JdbcAggregateOperations aggregates;

    private final PersistentEntity<T, ?> entity;

    public UpsertingJdbcRepository(JdbcAggregateOperations aggregates, PersistentEntity<T, ?> entity,
            JdbcConverter converter) {
        super(aggregates, entity, converter);
        this.aggregates = aggregates;
        this.entity = entity;
    }

    // In one transaction when called through the repository, so the check and the write see
    // the same row.
    @Override
    @Transactional
    public <S extends T> S save(S instance) {
        Object id = this.entity.getIdentifierAccessor(instance).getRequiredIdentifier();
        return this.aggregates.existsById(id, this.entity.getType()) ? this.aggregates.update(instance)
                : this.aggregates.insert(instance);
    }

    @Override
    @Transactional
    public <S extends T> List<S> saveAll(Iterable<S> instances) {
        List<S> saved = new ArrayList<>();
        for (S instance : instances) {
            saved.add(save(instance));
        }
        return saved;
    }

}
