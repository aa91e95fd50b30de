package dev.dualwrite.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * The two graces of {@code DUAL} write intents, checked against the longest a live write can
 * hold its intent: the Redis command timeout (its intent, its Redis write) plus the secondary
 * time limit (its PostgreSQL copy).
 */
final class WriteGraces {

    /** Room left above the two timeouts by the derived interrupted-write grace. */
    static final Duration MARGIN = Duration.ofSeconds(10);

    // Lettuce's own default (RedisURI.DEFAULT_TIMEOUT_DURATION), which applies when
    // spring.data.redis.timeout is unset: assumed too when the client cannot be asked.
    static final Duration LETTUCE_DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
            WriteGraces.class.getClassLoader());

    private WriteGraces() {
    }

    /**
     * Return the interrupted-write grace in force: the configured one, or the Redis command
     * timeout plus the secondary timeout plus {@link #MARGIN}.
     * @throws IllegalStateException when a configured grace is not longer than the two
     * timeouts: a live write stalled that long would have its intent promoted and its key
     * repaired from the state before its write, and a process dying after its Redis write
     * landed would then leave PostgreSQL behind with nothing recording it
     */
    static Duration interruptedWriteGrace(@Nullable Duration configured, Duration secondaryTimeout,
            Duration commandTimeout) {
        Duration longestLiveWrite = commandTimeout.plus(secondaryTimeout);
        if (configured == null) {
            return longestLiveWrite.plus(MARGIN);
        }
        if (configured.compareTo(longestLiveWrite) <= 0) {
            throw new IllegalStateException("dual-write.repair.interrupted-write-grace (" + configured
                    + ") must be longer than dual-write.secondary.timeout (" + secondaryTimeout
                    + ") plus the Redis command timeout (" + commandTimeout + ", spring.data.redis.timeout; "
                    + LETTUCE_DEFAULT_TIMEOUT + " when unset): a live write stalled that long would be repaired "
                    + "as an interrupted one and could then be lost. Raise the grace, lower the timeouts, or "
                    + "leave the grace unset to have it derived (" + longestLiveWrite.plus(MARGIN) + ")");
        }
        return configured;
    }

    /**
     * Check that the in-flight grace lets a live write's PostgreSQL copy finish before its
     * intent or outbox record counts as backlog.
     * @throws IllegalStateException when it is not longer than the secondary timeout
     */
    static void checkInFlightGrace(Duration inFlightGrace, Duration secondaryTimeout) {
        if (inFlightGrace.compareTo(secondaryTimeout) <= 0) {
            throw new IllegalStateException("dual-write.control.in-flight-grace (" + inFlightGrace
                    + ") must be longer than dual-write.secondary.timeout (" + secondaryTimeout
                    + "): the stage gates would count writes whose copy is still within its time limit as "
                    + "backlog. Raise the grace or lower the timeout");
        }
    }

    /**
     * Return how long one Redis command may wait: the Lettuce client's command timeout, else
     * {@code spring.data.redis.timeout}, else Lettuce's default.
     */
    static Duration redisCommandTimeout(RedisConnectionFactory connectionFactory,
            @Nullable DataRedisProperties properties) {
        if (LETTUCE_PRESENT) {
            Duration lettuce = Lettuce.commandTimeout(connectionFactory);
            if (lettuce != null) {
                return lettuce;
            }
        }
        Duration configured = (properties != null) ? properties.getTimeout() : null;
        return (configured != null) ? configured : LETTUCE_DEFAULT_TIMEOUT;
    }

    // Loaded only when Lettuce is on the classpath.
    private static final class Lettuce {

        static @Nullable Duration commandTimeout(RedisConnectionFactory connectionFactory) {
            return (connectionFactory instanceof LettuceConnectionFactory lettuce)
                    ? lettuce.getClientConfiguration().getCommandTimeout() : null;
        }

    }

}
