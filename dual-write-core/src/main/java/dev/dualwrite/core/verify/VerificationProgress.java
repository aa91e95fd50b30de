package dev.dualwrite.core.verify;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Where a running verification stands.
 * @param phase what it is doing
 * @param redisKeys Redis keys read so far
 * @param postgresRows PostgreSQL rows read so far
 * @param differences differences found so far
 * @param fraction estimate of the work done, from 0 to 1
 * @param rowsPerSecond keys and rows read per second so far
 * @param eta estimated time left, or {@code null} while unknown
 */
public record VerificationProgress(Phase phase, long redisKeys, long postgresRows, long differences,
        double fraction, double rowsPerSecond, @Nullable Duration eta) {

    /**
     * What a verification is doing.
     */
    public enum Phase {

        /**
         * Scanning Redis and looking its keys up in PostgreSQL, while PostgreSQL is paged and
         * looked up in Redis beside it.
         */
        REDIS,

        /** Redis done; the paging of PostgreSQL finishing. */
        POSTGRES,

        /** Every key compared. */
        DONE

    }

}
