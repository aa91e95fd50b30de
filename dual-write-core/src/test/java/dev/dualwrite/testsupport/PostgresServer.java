package dev.dualwrite.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * A PostgreSQL server that tests may use, as chosen by {@link TestServers#postgres()}.
 * @param jdbcUrl JDBC url of the database to use, e.g. {@code jdbc:postgresql://127.0.0.1:5432/test}
 * @param username user to connect as
 * @param password password of that user, empty when the server trusts the user
 * @param origin where the server comes from: one of the {@code TestServers.ORIGIN_*} values
 */
public record PostgresServer(String jdbcUrl, String username, String password, String origin) {

    private static final Pattern ADDRESS = Pattern.compile("^jdbc:postgresql://([^/:?]+|\\[[^\\]]+\\])(?::(\\d+))?(/.*)?$");

    /**
     * Open a small connection pool on this server's database; the caller closes it.
     * @return a new pool (at most 4 connections)
     */
    public HikariDataSource dataSource() {
        return pool(this.jdbcUrl);
    }

    /**
     * Open a small connection pool whose connections use {@code schema} as current schema;
     * the caller closes it.
     * @param schema the schema, e.g. {@link TestSchema#name()}
     * @return a new pool (at most 4 connections)
     */
    public HikariDataSource dataSource(String schema) {
        return pool(jdbcUrl(schema));
    }

    /**
     * Return this server's JDBC url with {@code currentSchema} set, so that unqualified names
     * resolve in {@code schema}.
     * @param schema the schema
     * @return the JDBC url
     */
    public String jdbcUrl(String schema) {
        return this.jdbcUrl + (this.jdbcUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /**
     * Open a single connection (without a pool); the caller closes it.
     * @return the connection
     * @throws SQLException when the server cannot be reached
     */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(this.jdbcUrl, this.username, this.password);
    }

    /** Return the host in {@link #jdbcUrl()}, e.g. to put a {@link TcpProxy} in front of it. */
    public String host() {
        return address().group(1);
    }

    /** Return the port in {@link #jdbcUrl()} (5432 when the url names none). */
    public int port() {
        String port = address().group(2);
        return (port != null) ? Integer.parseInt(port) : 5432;
    }

    /**
     * Return the same database reached at another address, typically a {@link TcpProxy}:
     * {@code server.withAddress(proxy.host(), proxy.port())}.
     * @param host the host
     * @param port the port
     * @return a copy whose JDBC url points at {@code host:port}
     */
    public PostgresServer withAddress(String host, int port) {
        String rest = address().group(3);
        String url = "jdbc:postgresql://" + host + ":" + port + ((rest != null) ? rest : "/");
        return new PostgresServer(url, this.username, this.password, this.origin);
    }

    private Matcher address() {
        Matcher matcher = ADDRESS.matcher(this.jdbcUrl);
        if (!matcher.matches()) {
            throw new IllegalStateException("Cannot read a single host and port from " + this.jdbcUrl);
        }
        return matcher;
    }

    private HikariDataSource pool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(this.username);
        config.setPassword(this.password);
        // Small: many test classes share one server whose max_connections is finite.
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(10_000);
        config.setPoolName("test-" + this.origin);
        return new HikariDataSource(config);
    }

    @Override
    public String toString() {
        return "PostgresServer[" + this.jdbcUrl + " as " + this.username + ", " + this.origin + "]";
    }

}
