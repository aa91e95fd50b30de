package dev.dualwrite.contract.jdbc;

import javax.sql.DataSource;

import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.TcpProxy;
import dev.dualwrite.testsupport.TestSchema;
import dev.dualwrite.testsupport.TestServers;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The old store of a test class: a schema of its own on the test PostgreSQL, behind a
 * {@link TcpProxy} of its own (so it fails independently of the new store's schema), holding
 * the old application's tables as they were before the migration; plus a direct connection
 * (not through the proxy) to look at what it really holds. {@link #close()} drops the schema.
 */
public final class LegacySchema implements AutoCloseable {

    private final TestSchema schema;

    private final TcpProxy proxy;

    private final JdbcTemplate jdbc;

    private LegacySchema(Class<?> testClass, String... tables) {
        this.schema = TestSchema.create(TestServers.postgres(), testClass.getSimpleName() + "_legacy");
        PostgresServer server = this.schema.server();
        this.proxy = TcpProxy.start(server.host(), server.port());
        this.jdbc = new JdbcTemplate(this.schema.dataSource());
        for (String table : tables) {
            this.jdbc.execute(table);
        }
    }

    /**
     * Create the schema with the old application's tables and start its proxy.
     * @param testClass the test class
     * @param tables the {@code create table} statements of the old tables
     * @return the old store
     */
    public static LegacySchema start(Class<?> testClass, String... tables) {
        return new LegacySchema(testClass, tables);
    }

    /**
     * Point the application's new store ({@code spring.datasource}, Flyway) straight at the
     * given schema, without a proxy, and its old store as {@link #register} does: the
     * properties of a test whose application has no Redis.
     * @param registry the test's dynamic properties
     * @param newStore the class's schema of the new store
     */
    public void registerWithNewStore(DynamicPropertyRegistry registry, TestSchema newStore) {
        PostgresServer postgres = newStore.server();
        registry.add("spring.datasource.url", newStore::jdbcUrl);
        registry.add("spring.datasource.username", postgres::username);
        registry.add("spring.datasource.password", postgres::password);
        registry.add("spring.flyway.schemas", newStore::name);
        register(registry);
    }

    /**
     * Point the application's {@code legacy.datasource} (a Hikari pool) at the proxy, failing
     * fast when the old store is down, as {@code ContractStores} does for the new store.
     * @param registry the test's dynamic properties
     */
    public void register(DynamicPropertyRegistry registry) {
        PostgresServer proxied = this.schema.server().withAddress(this.proxy.host(), this.proxy.port());
        // socketTimeout bounds a read on a connection that a blackholed proxy keeps open.
        registry.add("legacy.datasource.jdbc-url", () -> proxied.jdbcUrl(this.schema.name()) + "&socketTimeout=5");
        registry.add("legacy.datasource.username", proxied::username);
        registry.add("legacy.datasource.password", proxied::password);
        registry.add("legacy.datasource.pool-name", () -> "legacy");
        registry.add("legacy.datasource.connection-timeout", () -> "1000");
        registry.add("legacy.datasource.maximum-pool-size", () -> "12");
    }

    public TcpProxy proxy() {
        return this.proxy;
    }

    /** Direct access to the old schema, bypassing the proxy. */
    public JdbcTemplate jdbc() {
        return this.jdbc;
    }

    /** A JDBC url of the old schema that bypasses the proxy, for an application it need not fail. */
    public String jdbcUrl() {
        return this.schema.jdbcUrl();
    }

    /** Direct connections to the old schema, bypassing the proxy. */
    public DataSource dataSource() {
        return this.schema.dataSource();
    }

    /**
     * Empty an old table and the repair records and write intents the library keeps in the
     * old schema (its tables exist once the application has started).
     * @param table the old table
     */
    public void clear(String table) {
        this.jdbc.update("delete from " + table);
        this.jdbc.update("delete from dualwrite_source_repair");
        this.jdbc.update("delete from dualwrite_source_intent");
    }

    @Override
    public void close() {
        this.proxy.close();
        this.schema.close();
    }

}
