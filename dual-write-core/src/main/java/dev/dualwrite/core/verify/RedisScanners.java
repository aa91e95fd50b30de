package dev.dualwrite.core.verify;

import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.redis.scan.RedisEntityScanner;

/**
 * Gives the verifier a scanner of a repository's Redis store, whichever shape it has
 * ({@code @RedisHash} or JSON strings).
 */
@FunctionalInterface
public interface RedisScanners {

    /**
     * Return the scanner of a repository's Redis store.
     * @param repository the paired repository
     * @param <R> the Redis entity type
     * @param <ID> the id type
     * @return the scanner
     */
    <R, ID> RedisEntityScanner<R, ID> scannerFor(DualRepository<R, ?, ID> repository);

}
