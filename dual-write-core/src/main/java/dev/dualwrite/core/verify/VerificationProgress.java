package dev.dualwrite.core.verify;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Where a running verification stands.
 * @param phase what it is doing: {@code redis} (scanning Redis, looking up PostgreSQL, while
 * PostgreSQL is paged and looked up in Redis beside it), {@code postgres} (Redis done, the
 * paging of PostgreSQL finishing), {@code done}
 * @param redisKeys Redis keys read so far
 * @param postgresRows PostgreSQL rows read so far
 * @param differences differences found so far
 * @param fraction estimate of the work done, from 0 to 1
 * @param rowsPerSecond keys and rows read per second so far
 * @param eta estimated time left, or {@code null} while unknown
 */
public record VerificationProgress(String phase, long redisKeys, long postgresRows, long differences,
        double fraction, double rowsPerSecond, @Nullable Duration eta) {
}
