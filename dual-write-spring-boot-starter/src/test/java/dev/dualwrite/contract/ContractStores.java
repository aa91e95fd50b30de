package dev.dualwrite.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.dualwrite.core.repair.RedisRepairKeys;
import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TcpProxy;
import dev.dualwrite.testsupport.TestSchema;
import dev.dualwrite.testsupport.TestServers;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The real servers of one test class, each behind a {@link TcpProxy} the test controls, plus
 * direct connections (not through the proxies) to look at what each store really holds.
 * <p>
 * Isolation: PostgreSQL tables live in a schema of the class's own, Redis keys under the
 * class's own prefix; {@link #close()} removes both.
 */
public final class ContractStores implements AutoCloseable {

    private final TestSchema schema;

    private final String redisPrefix;

    private final TcpProxy postgresProxy;

    private final TcpProxy redisProxy;

    private final JdbcTemplate postgres;

    private final LettuceConnectionFactory redisConnections;

    private final StringRedisTemplate redis;

    private ContractStores(Class<?> testClass, String redisPrefix) {
        PostgresServer postgresServer = TestServers.postgres();
        RedisServer redisServer = TestServers.redis();
        this.schema = TestSchema.create(testClass);
        this.redisPrefix = redisPrefix;
        this.postgresProxy = TcpProxy.start(postgresServer.host(), postgresServer.port());
        this.redisProxy = TcpProxy.start(redisServer.host(), redisServer.port());
        this.postgres = new JdbcTemplate(this.schema.dataSource());
        this.redisConnections = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(redisServer.host(), redisServer.port()));
        this.redisConnections.afterPropertiesSet();
        this.redis = new StringRedisTemplate(this.redisConnections);
        deleteRedisKeys();
    }

    /**
     * Start the proxies and create the class's schema.
     * @param testClass the test class
     * @param redisPrefix the prefix of every Redis key the class writes: fixed by its entities, or
     * one of the run's own ({@code TestKeyPrefix}) that the class gives its entities' keyspaces
     * and its repair log through properties, which no second build on the machine shares
     * ({@link #clearRedis} and {@link #redisRepairRecords} know the repair log's default names
     * only)
     * @return the stores
     */
    public static ContractStores start(Class<?> testClass, String redisPrefix) {
        return new ContractStores(testClass, redisPrefix);
    }

    /**
     * Point the application under test at the proxies, failing fast when a store is down.
     * @param registry the test's dynamic properties
     */
    public void register(DynamicPropertyRegistry registry) {
        PostgresServer proxied = this.schema.server().withAddress(this.postgresProxy.host(), this.postgresProxy.port());
        // socketTimeout bounds a read on a connection that a blackholed proxy keeps open.
        registry.add("spring.datasource.url", () -> proxied.jdbcUrl(this.schema.name()) + "&socketTimeout=5");
        registry.add("spring.datasource.username", proxied::username);
        registry.add("spring.datasource.password", proxied::password);
        registry.add("spring.datasource.hikari.connection-timeout", () -> "1000");
        registry.add("spring.datasource.hikari.maximum-pool-size", () -> "12");
        registry.add("spring.flyway.schemas", this.schema::name);
        registry.add("spring.data.redis.host", this.redisProxy::host);
        registry.add("spring.data.redis.port", this.redisProxy::port);
        registry.add("spring.data.redis.timeout", () -> "2s");
        registry.add("spring.data.redis.connect-timeout", () -> "500ms");
    }

    public TcpProxy postgresProxy() {
        return this.postgresProxy;
    }

    public TcpProxy redisProxy() {
        return this.redisProxy;
    }

    /** Direct access to the class's schema, bypassing the proxy. */
    public JdbcTemplate postgres() {
        return this.postgres;
    }

    /** Direct access to Redis, bypassing the proxy. */
    public StringRedisTemplate redis() {
        return this.redis;
    }

    public String schema() {
        return this.schema.name();
    }

    /** Bring both proxies back to normal. */
    public void restore() {
        this.postgresProxy.restore();
        this.redisProxy.restore();
    }

    /**
     * Empty the tables and keys the tests write, between tests.
     * @param tables the application tables to empty
     * @param repositories the repository names whose Redis repair records and write intents to
     * remove
     */
    public void clear(List<String> tables, List<String> repositories) {
        clearPostgres(tables);
        clearRedis(repositories);
    }

    /**
     * Empty the PostgreSQL tables the tests write and the library's repair records there.
     * @param tables the application tables to empty
     */
    public void clearPostgres(List<String> tables) {
        for (String table : tables) {
            this.postgres.update("delete from " + table);
        }
        this.postgres.update("delete from dualwrite_repair");
    }

    /**
     * Remove the class's Redis keys and the repair records and write intents kept in Redis.
     * @param repositories the repository names whose Redis repair records and write intents to
     * remove
     */
    public void clearRedis(List<String> repositories) {
        deleteRedisKeys();
        for (String repository : repositories) {
            this.redis.delete(List.of(RedisRepairKeys.DEFAULT.records(repository),
                    RedisRepairKeys.DEFAULT.intents(repository)));
        }
    }

    /**
     * Return the fields of a repair record kept in Redis, by key.
     * @param repository the repository name
     * @return the records' JSON by entity key
     */
    public Map<Object, Object> redisRepairRecords(String repository) {
        return this.redis.opsForHash().entries(RedisRepairKeys.DEFAULT.records(repository));
    }

    private void deleteRedisKeys() {
        List<String> keys = new ArrayList<>();
        try (Cursor<String> cursor = this.redis.scan(ScanOptions.scanOptions().match(this.redisPrefix + "*").count(500).build())) {
            cursor.forEachRemaining(keys::add);
        }
        if (!keys.isEmpty()) {
            this.redis.unlink(keys);
        }
    }

    @Override
    public void close() {
        deleteRedisKeys();
        this.redisConnections.destroy();
        this.postgresProxy.close();
        this.redisProxy.close();
        this.schema.close();
    }

}
