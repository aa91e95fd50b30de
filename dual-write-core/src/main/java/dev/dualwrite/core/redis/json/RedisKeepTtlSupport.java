package dev.dualwrite.core.redis.json;

import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The startup check that the Redis server of a JSON-string repository supports
 * {@code SET ... KEEPTTL} (Redis 6.0 and later), which every save uses to keep the key's
 * expiry: on an older server every save would fail with a syntax error, so the application
 * is stopped at startup with the reason instead. Each connection factory is asked once.
 */
final class RedisKeepTtlSupport {

    private static final Logger logger = LoggerFactory.getLogger(RedisKeepTtlSupport.class);

    // Versions already found good, by connection factory (weakly: a closed context's factory goes).
    private static final Map<RedisConnectionFactory, String> checked = Collections
        .synchronizedMap(new WeakHashMap<>());

    private RedisKeepTtlSupport() {
    }

    /**
     * Fail when the server is known to be older than Redis 6.0; when it cannot be asked
     * (down at startup), only warn, as the repository would start without the check.
     * @param connectionFactory the repository's connections
     * @param repository the repository interface, for the message
     * @throws IllegalStateException when the server is older than 6.0
     */
    static void check(RedisConnectionFactory connectionFactory, String repository) {
        if (checked.containsKey(connectionFactory)) {
            return;
        }
        String version;
        try (RedisConnection connection = connectionFactory.getConnection()) {
            Properties info = connection.serverCommands().info("server");
            version = (info != null) ? info.getProperty("redis_version") : null;
        }
        catch (DataAccessException | IllegalStateException ex) {
            logger.warn("dual-write: could not ask Redis for its version at the start of JSON repository {} ({}); "
                    + "its saves need Redis 6.0 or later (SET ... KEEPTTL)", repository, ex.getMessage());
            return;
        }
        String problem = problem(version, repository);
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
        checked.put(connectionFactory, String.valueOf(version));
    }

    /**
     * Tell what is wrong with a server version for JSON repositories.
     * @param version the {@code redis_version} the server reports, or {@code null}
     * @param repository the repository interface, for the message
     * @return the message, or {@code null} when the version is 6.0 or later (or unknown)
     */
    static @Nullable String problem(@Nullable String version, String repository) {
        if (version == null) {
            return null;
        }
        int major;
        try {
            major = Integer.parseInt(version.trim().split("\\.")[0]);
        }
        catch (NumberFormatException ex) {
            return null;
        }
        if (major >= 6) {
            return null;
        }
        return "Redis JSON repository " + repository + " needs Redis 6.0 or later, and the server reports version "
                + version + ": every save uses SET ... KEEPTTL to keep the key's expiry. Upgrade the server, or "
                + "keep this repository on Spring Data Redis until then";
    }

}
