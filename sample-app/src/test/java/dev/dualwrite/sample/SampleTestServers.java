package dev.dualwrite.sample;

import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Points the sample application at the servers of {@code TestServers}, inside one test
 * class's own PostgreSQL schema and Redis key prefix, so that test classes sharing the
 * servers never see each other's data.
 */
final class SampleTestServers {

    private SampleTestServers() {
    }

    /**
     * Register the properties of the sample application for one test class.
     * @param registry the test's dynamic properties
     * @param schema the class's schema, where Flyway creates the tables
     * @param keys the class's key prefix, under which tokens are stored
     */
    static void register(DynamicPropertyRegistry registry, TestSchema schema, TestKeyPrefix keys) {
        PostgresServer postgres = schema.server();
        registry.add("spring.datasource.url", schema::jdbcUrl);
        registry.add("spring.datasource.username", postgres::username);
        registry.add("spring.datasource.password", postgres::password);
        registry.add("spring.datasource.hikari.maximum-pool-size", () -> "4");
        registry.add("spring.flyway.schemas", schema::name);
        registry.add("spring.flyway.default-schema", schema::name);
        RedisServer redis = keys.server();
        registry.add("spring.data.redis.host", redis::host);
        registry.add("spring.data.redis.port", redis::port);
        registry.add("sample.tokens.key-prefix", () -> keys.key("token:"));
    }

    /** Return the Redis key of a token under the class's prefix. */
    static String tokenKey(TestKeyPrefix keys, String id) {
        return keys.key("token:" + id);
    }

}
