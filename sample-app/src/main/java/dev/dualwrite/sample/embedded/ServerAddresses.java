package dev.dualwrite.sample.embedded;

import java.net.URI;

import org.springframework.core.env.Environment;

/**
 * Describes configured servers for the startup log without credentials: a JDBC url loses its
 * query (which may hold {@code password=}), a Redis url its user info.
 */
final class ServerAddresses {

    private ServerAddresses() {
    }

    static String describeJdbcUrl(String jdbcUrl) {
        int query = jdbcUrl.indexOf('?');
        return (query >= 0) ? jdbcUrl.substring(0, query) : jdbcUrl;
    }

    static String describeRedis(Environment environment) {
        String url = environment.getProperty("spring.data.redis.url");
        if (url != null && !url.isBlank()) {
            try {
                URI uri = URI.create(url);
                return uri.getScheme() + "://" + uri.getHost() + ((uri.getPort() >= 0) ? ":" + uri.getPort() : "");
            }
            catch (IllegalArgumentException ex) {
                return "the server of spring.data.redis.url (not a valid URI)";
            }
        }
        return environment.getProperty("spring.data.redis.host", "localhost") + ":"
                + environment.getProperty("spring.data.redis.port", "6379");
    }

}
