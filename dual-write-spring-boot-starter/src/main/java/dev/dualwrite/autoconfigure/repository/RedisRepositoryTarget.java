package dev.dualwrite.autoconfigure.repository;

import org.springframework.data.repository.CrudRepository;
import org.springframework.data.repository.core.EntityInformation;

/**
 * What the repository proxy post-processor learns about one Redis repository while Spring
 * Data builds its proxy: the undecorated implementation behind it, needed to write Redis
 * without going through the decorator again.
 * @param repositoryInterface the application's repository interface
 * @param target the undecorated implementation
 * @param entityInformation the entity metadata of the repository
 */
record RedisRepositoryTarget(Class<?> repositoryInterface, CrudRepository<Object, Object> target,
        EntityInformation<Object, Object> entityInformation) {
}
