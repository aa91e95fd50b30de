package dev.dualwrite.autoconfigure.repository;

import dev.dualwrite.autoconfigure.source.OldStoreSource;
import org.jspecify.annotations.Nullable;

import org.springframework.data.repository.CrudRepository;
import org.springframework.data.repository.core.EntityInformation;

/**
 * What the repository proxy post-processor learns about one old-store repository while Spring
 * Data builds its proxy: the undecorated implementation behind it, needed to write the old
 * store without going through the decorator again.
 * @param repositoryInterface the application's repository interface
 * @param target the undecorated implementation
 * @param entityInformation the entity metadata of the repository
 * @param source the source that lists the repository; {@code null} for a Redis repository
 */
record OldRepositoryTarget(Class<?> repositoryInterface, CrudRepository<Object, Object> target,
        EntityInformation<Object, Object> entityInformation, @Nullable OldStoreSource source) {
}
