package dev.dualwrite.autoconfigure;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettucePoolingClientConfiguration;
import org.springframework.util.ClassUtils;

/**
 * Warns at startup when Redis commands of one key may reach the server out of order. A
 * secondary write ended at its time limit frees the key's lock while its Lettuce command may
 * still be queued; the library relies on the next copy of the key being sent after it on the
 * same connection (Lettuce's shared native connection), so that the older command lands first.
 * On a dedicated or pooled connection per operation, an old write could land after a newer
 * copy has closed the key's repair record. A pool alone is fine: while the native connection
 * is shared, Lettuce takes pooled connections only for blocking and transactional commands
 * and pipelines, which the library's copies to Redis do not use (and Spring Boot enables a
 * pool whenever commons-pool2 is on the class path).
 */
final class LettuceCommandOrder {

    private static final Logger logger = LoggerFactory.getLogger(DualWriteAutoConfiguration.class);

    private static final boolean lettucePresent = ClassUtils.isPresent("io.lettuce.core.RedisClient",
            LettuceCommandOrder.class.getClassLoader());

    private LettuceCommandOrder() {
    }

    static void warnIfUnordered(RedisConnectionFactory connectionFactory) {
        if (lettucePresent) {
            Lettuce.warnIfUnordered(connectionFactory);
        }
    }

    // Only loaded when Lettuce is on the class path.
    private static final class Lettuce {

        static void warnIfUnordered(RedisConnectionFactory connectionFactory) {
            if (!(connectionFactory instanceof LettuceConnectionFactory lettuce)) {
                return;
            }
            if (!lettuce.getShareNativeConnection()) {
                boolean pooled = lettuce.getClientConfiguration() instanceof LettucePoolingClientConfiguration;
                logger.warn("dual-write: the LettuceConnectionFactory does not share its native connection{}: a "
                        + "secondary write to Redis ended at its time limit may still be sent after a newer copy of "
                        + "the same key, leaving Redis behind until a verification finds it. Keep Lettuce's default "
                        + "(setShareNativeConnection(true)) for the connection factory dual-write uses.",
                        pooled ? " (each operation takes a pooled connection)" : "");
            }
        }

    }

}
