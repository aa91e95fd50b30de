/**
 * A Spring Data module for entities stored as JSON strings under a key prefix: the shape in
 * which many services keep data in Redis ({@code token:<id>} holding the token as JSON),
 * without a keyspace set and without hashes.
 * <p>
 * Annotate the entity with {@link dev.dualwrite.core.redis.json.RedisJson @RedisJson},
 * declare a {@code CrudRepository} (or {@code ListCrudRepository},
 * {@code PagingAndSortingRepository}) for it and enable the module with
 * {@link dev.dualwrite.core.redis.json.EnableRedisJsonRepositories @EnableRedisJsonRepositories}.
 * Values are written and read with the application's Jackson 3 {@code JsonMapper}; every
 * enumeration uses {@code SCAN} (never {@code KEYS}) and reads in bounded batches.
 */
@NullMarked
package dev.dualwrite.core.redis.json;

import org.jspecify.annotations.NullMarked;
