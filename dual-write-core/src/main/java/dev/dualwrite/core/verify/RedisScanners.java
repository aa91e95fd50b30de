package dev.dualwrite.core.verify;

import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.redis.scan.RedisEntityScanner;

/**
 * Gives the verifier a scanner of a repository's Redis store, whichever shape it has
 * ({@code @RedisHash} or JSON strings).
 * @deprecated the verifier takes any {@link OldStoreScanners}; this Redis-typed one is kept so
 * that beans and callers declared with it keep working
 */
@Deprecated
public interface RedisScanners extends OldStoreScanners {

    /**
     * Return the scanner of a repository's Redis store.
     * @param repository the paired repository
     * @param <R> the Redis entity type
     * @param <ID> the id type
     * @return the scanner
     */
    @Override
    <R, ID> RedisEntityScanner<R, ID> scannerFor(DualRepository<R, ?, ID> repository);

}
