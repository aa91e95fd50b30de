package dev.dualwrite.testsupport;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh PostgreSQL schema with a unique name, so that test classes sharing one server never
 * see each other's tables; closing it drops the schema with everything in it.
 * <p>
 * Use it as a JUnit extension on a static field, which drops it after the class's tests:
 * <pre class="code">
 * &#064;RegisterExtension
 * static final TestSchema schema = TestSchema.create(TokenRepositoryTests.class);
 * </pre>
 * or with try-with-resources. Schemas still open when the JVM exits are dropped then.
 */
public final class TestSchema implements AutoCloseable, AfterAllCallback {

    /** PostgreSQL truncates identifiers longer than this. */
    private static final int MAX_NAME_LENGTH = 63;

    /** Schemas not closed yet; a shutdown hook drops them if a test class never got to. */
    private static final Set<TestSchema> open = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TestSchema::closeLeftovers, "test-schema-cleanup"));
    }

    private final PostgresServer server;

    private final String name;

    private @Nullable HikariDataSource dataSource;

    private boolean closed;

    private TestSchema(PostgresServer server, String name) {
        this.server = server;
        this.name = name;
    }

    /**
     * Create a schema named after {@code testClass} on {@link TestServers#postgres()}.
     * @param testClass the test class that owns the schema
     * @return the new, empty schema
     */
    public static TestSchema create(Class<?> testClass) {
        return create(TestServers.postgres(), testClass.getSimpleName());
    }

    /**
     * Create a schema named {@code dw_<label>_<random>} on {@code server}.
     * @param server the server
     * @param label a readable part of the name, e.g. the test class's simple name
     * @return the new, empty schema
     */
    public static TestSchema create(PostgresServer server, String label) {
        String name = uniqueName(label);
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + name);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not create schema " + name + " on " + server, ex);
        }
        TestSchema schema = new TestSchema(server, name);
        open.add(schema);
        return schema;
    }

    /** Return the schema's name: lowercase letters, digits and underscores, so it never needs quoting. */
    public String name() {
        return this.name;
    }

    /** Return the server the schema lives on. */
    public PostgresServer server() {
        return this.server;
    }

    /** Return a JDBC url whose connections use this schema as current schema. */
    public String jdbcUrl() {
        return this.server.jdbcUrl(this.name);
    }

    /**
     * Return a small connection pool bound to this schema, created on first use and closed
     * with the schema.
     * @return the pool
     */
    public synchronized DataSource dataSource() {
        if (this.closed) {
            throw new IllegalStateException("Schema " + this.name + " is closed");
        }
        if (this.dataSource == null) {
            this.dataSource = this.server.dataSource(this.name);
        }
        return this.dataSource;
    }

    /** Close the pool, then drop the schema and everything in it; repeated calls do nothing. */
    @Override
    public synchronized void close() {
        if (this.closed) {
            return;
        }
        this.closed = true;
        open.remove(this);
        // Pool first: its connections could otherwise hold locks the DROP waits for.
        if (this.dataSource != null) {
            this.dataSource.close();
        }
        try (Connection connection = this.server.connect(); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + this.name + " CASCADE");
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not drop schema " + this.name + " on " + this.server, ex);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public String toString() {
        return "TestSchema[" + this.name + "]";
    }

    private static void closeLeftovers() {
        for (TestSchema schema : open) {
            try {
                schema.close();
            }
            catch (RuntimeException ex) {
                // Best effort at exit: the server may be stopping too.
            }
        }
    }

    static String uniqueName(String label) {
        String random = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String readable = label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        int room = MAX_NAME_LENGTH - "dw__".length() - random.length();
        if (readable.length() > room) {
            readable = readable.substring(0, room);
        }
        return "dw_" + readable + "_" + random;
    }

}
