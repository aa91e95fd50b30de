package dev.dualwrite.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Properties;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, once per JVM, where tests find PostgreSQL and Redis, and logs (INFO) the choice
 * and why. Each store is decided on its own, first match wins:
 * <ol>
 * <li>environment variables (or system properties of the same name):
 * {@code DUALWRITE_TEST_POSTGRES_URL} (JDBC url), {@code DUALWRITE_TEST_POSTGRES_USER},
 * {@code DUALWRITE_TEST_POSTGRES_PASSWORD}; {@code DUALWRITE_TEST_REDIS_HOST},
 * {@code DUALWRITE_TEST_REDIS_PORT};</li>
 * <li>localhost default ports when a server answers there: PostgreSQL
 * {@code 127.0.0.1:5432}, database {@code test}, user {@code postgres}, no password (a real
 * JDBC login); Redis {@code 127.0.0.1:6379} (a {@code PING});</li>
 * <li>Testcontainers when Docker is available ({@code postgres:16}, {@code redis:7});</li>
 * <li>embedded servers started in-process: zonky {@code EmbeddedPostgres} (PostgreSQL 14;
 * when the JVM runs as root it runs the server through a user namespace) and codemonstur
 * embedded-redis (Redis 6.2), each on a free port.</li>
 * </ol>
 * Setting {@code DUALWRITE_TEST_SERVERS=embedded} (environment variable or system property,
 * e.g. {@code ./mvnw verify -DDUALWRITE_TEST_SERVERS=embedded}) skips straight to step 4; it
 * proves the fallback a fresh machine would use. Servers this class starts are stopped by a
 * shutdown hook.
 */
public final class TestServers {

    /** Environment variable or system property that forces a choice; only {@code embedded} is known. */
    public static final String MODE = "DUALWRITE_TEST_SERVERS";

    /** Origin of servers named by {@code DUALWRITE_TEST_*} variables. */
    public static final String ORIGIN_ENVIRONMENT = "environment";

    /** Origin of servers found on localhost's default ports. */
    public static final String ORIGIN_LOCALHOST = "localhost";

    /** Origin of servers started with Testcontainers. */
    public static final String ORIGIN_TESTCONTAINERS = "testcontainers";

    /** Origin of servers started in-process. */
    public static final String ORIGIN_EMBEDDED = "embedded";

    private static final Logger logger = LoggerFactory.getLogger(TestServers.class);

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private static final Deque<AutoCloseable> started = new ArrayDeque<>();

    // Not named "redis": a field of that name would obscure the package redis.embedded below.
    private static @Nullable PostgresServer chosenPostgres;

    private static @Nullable RedisServer chosenRedis;

    private static boolean shutdownHookAdded;

    private TestServers() {
    }

    /**
     * Return the PostgreSQL server for this JVM's tests, deciding (and starting it) on first use.
     * @return the server
     */
    public static synchronized PostgresServer postgres() {
        if (chosenPostgres == null) {
            chosenPostgres = choosePostgres();
            logger.info("Tests use {}", chosenPostgres);
        }
        return chosenPostgres;
    }

    /**
     * Return the Redis server for this JVM's tests, deciding (and starting it) on first use.
     * @return the server
     */
    public static synchronized RedisServer redis() {
        if (chosenRedis == null) {
            chosenRedis = chooseRedis();
            logger.info("Tests use {}", chosenRedis);
        }
        return chosenRedis;
    }

    private static PostgresServer choosePostgres() {
        if (!embeddedForced()) {
            String url = setting("DUALWRITE_TEST_POSTGRES_URL");
            if (url != null) {
                String user = orDefault(setting("DUALWRITE_TEST_POSTGRES_USER"), "postgres");
                String password = orDefault(setting("DUALWRITE_TEST_POSTGRES_PASSWORD"), "");
                logger.info("PostgreSQL: DUALWRITE_TEST_POSTGRES_URL is set, using {} as {}", url, user);
                return new PostgresServer(url, user, password, ORIGIN_ENVIRONMENT);
            }
            PostgresServer local = new PostgresServer("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "",
                    ORIGIN_LOCALHOST);
            String problem = postgresProblem(local);
            if (problem == null) {
                logger.info("PostgreSQL: no DUALWRITE_TEST_POSTGRES_URL, and 127.0.0.1:5432/test accepts user postgres");
                return local;
            }
            logger.info("PostgreSQL: not using localhost ({}); trying Testcontainers", problem);
            if (Containers.dockerAvailable()) {
                logger.info("PostgreSQL: Docker is available, starting a postgres:16 container");
                return Containers.postgres();
            }
            logger.info("PostgreSQL: Docker is not available; starting an embedded server");
        }
        else {
            logger.info("PostgreSQL: {}=embedded forces an embedded server", MODE);
        }
        return Embedded.postgres();
    }

    private static RedisServer chooseRedis() {
        if (!embeddedForced()) {
            String host = setting("DUALWRITE_TEST_REDIS_HOST");
            if (host != null) {
                int port = Integer.parseInt(orDefault(setting("DUALWRITE_TEST_REDIS_PORT"), "6379"));
                logger.info("Redis: DUALWRITE_TEST_REDIS_HOST is set, using {}:{}", host, port);
                return new RedisServer(host, port, ORIGIN_ENVIRONMENT);
            }
            RedisServer local = new RedisServer("127.0.0.1", 6379, ORIGIN_LOCALHOST);
            String problem = redisProblem(local);
            if (problem == null) {
                logger.info("Redis: no DUALWRITE_TEST_REDIS_HOST, and 127.0.0.1:6379 answers PING");
                return local;
            }
            logger.info("Redis: not using localhost ({}); trying Testcontainers", problem);
            if (Containers.dockerAvailable()) {
                logger.info("Redis: Docker is available, starting a redis:7 container");
                return Containers.redis();
            }
            logger.info("Redis: Docker is not available; starting an embedded server");
        }
        else {
            logger.info("Redis: {}=embedded forces an embedded server", MODE);
        }
        return Embedded.redis();
    }

    private static boolean embeddedForced() {
        String mode = setting(MODE);
        if (mode == null || mode.equalsIgnoreCase("auto")) {
            return false;
        }
        if (mode.equalsIgnoreCase(ORIGIN_EMBEDDED)) {
            return true;
        }
        throw new IllegalStateException(MODE + "=" + mode + " is not understood; use 'embedded' or leave it unset");
    }

    /** Return why the server cannot be used, or {@code null} when a login works. */
    private static @Nullable String postgresProblem(PostgresServer server) {
        String closed = tcpProblem(server.host(), server.port());
        if (closed != null) {
            return closed;
        }
        Properties properties = new Properties();
        properties.setProperty("user", server.username());
        properties.setProperty("password", server.password());
        properties.setProperty("connectTimeout", String.valueOf(PROBE_TIMEOUT.toSeconds()));
        properties.setProperty("socketTimeout", String.valueOf(PROBE_TIMEOUT.toSeconds()));
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), properties)) {
            return connection.isValid((int) PROBE_TIMEOUT.toSeconds()) ? null : "connection not valid";
        }
        catch (SQLException ex) {
            return "JDBC login to " + server.jdbcUrl() + " failed: " + ex.getMessage();
        }
    }

    /** Return why the server cannot be used, or {@code null} when it answers PING. */
    private static @Nullable String redisProblem(RedisServer server) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.host(), server.port()), (int) PROBE_TIMEOUT.toMillis());
            socket.setSoTimeout((int) PROBE_TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] reply = new byte[64];
            int read = socket.getInputStream().read(reply);
            String answer = (read > 0) ? new String(reply, 0, read, StandardCharsets.US_ASCII).trim() : "nothing";
            return answer.equals("+PONG") ? null : "PING answered " + answer;
        }
        catch (IOException ex) {
            return "nothing answers on " + server.host() + ":" + server.port() + " (" + ex.getMessage() + ")";
        }
    }

    private static @Nullable String tcpProblem(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) PROBE_TIMEOUT.toMillis());
            return null;
        }
        catch (IOException ex) {
            return "nothing answers on " + host + ":" + port + " (" + ex.getMessage() + ")";
        }
    }

    private static @Nullable String setting(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            value = System.getenv(name);
        }
        return (value == null || value.isBlank()) ? null : value.trim();
    }

    private static String orDefault(@Nullable String value, String fallback) {
        return (value != null) ? value : fallback;
    }

    /** Stop {@code server} when the JVM exits, after anything started later. */
    private static synchronized void stopOnExit(AutoCloseable server) {
        started.push(server);
        if (!shutdownHookAdded) {
            Runtime.getRuntime().addShutdownHook(new Thread(TestServers::stopAll, "test-servers-shutdown"));
            shutdownHookAdded = true;
        }
    }

    private static void stopAll() {
        AutoCloseable server;
        while ((server = pollStarted()) != null) {
            try {
                server.close();
            }
            catch (Exception ex) {
                logger.warn("Could not stop test server {}", server, ex);
            }
        }
    }

    private static synchronized @Nullable AutoCloseable pollStarted() {
        return started.poll();
    }

    /**
     * Testcontainers, kept in a nested class so that a test classpath without it only fails
     * here, as "Docker not available".
     */
    private static final class Containers {

        static boolean dockerAvailable() {
            try {
                return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
            }
            catch (LinkageError ex) {
                logger.info("Testcontainers is not on the test classpath ({})", ex.toString());
                return false;
            }
        }

        static PostgresServer postgres() {
            var container = new org.testcontainers.postgresql.PostgreSQLContainer("postgres:16");
            container.start();
            stopOnExit(container::stop);
            return new PostgresServer(container.getJdbcUrl(), container.getUsername(), container.getPassword(),
                    ORIGIN_TESTCONTAINERS);
        }

        static RedisServer redis() {
            var container = new org.testcontainers.containers.GenericContainer<>("redis:7").withExposedPorts(6379);
            container.start();
            stopOnExit(container::stop);
            return new RedisServer(container.getHost(), container.getMappedPort(6379), ORIGIN_TESTCONTAINERS);
        }

    }

    /** In-process servers, the last resort, which needs nothing but the test classpath. */
    private static final class Embedded {

        static PostgresServer postgres() {
            try {
                // zonky runs initdb/postgres through a user namespace when the JVM runs as root.
                var server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
                stopOnExit(server);
                return new PostgresServer("jdbc:postgresql://127.0.0.1:" + server.getPort() + "/postgres", "postgres",
                        "", ORIGIN_EMBEDDED);
            }
            catch (IOException ex) {
                throw new IllegalStateException("Could not start an embedded PostgreSQL; set DUALWRITE_TEST_POSTGRES_URL "
                        + "or start PostgreSQL on 127.0.0.1:5432", ex);
            }
        }

        static RedisServer redis() {
            IOException last = null;
            // A free port may be taken between probing and binding; a retry picks another.
            for (int attempt = 0; attempt < 3; attempt++) {
                try {
                    int port = freePort();
                    var server = redis.embedded.RedisServer.newRedisServer()
                        .bind("127.0.0.1")
                        .port(port)
                        .setting("save \"\"")
                        .setting("appendonly no")
                        .build();
                    server.start();
                    stopOnExit(server::stop);
                    return new RedisServer("127.0.0.1", port, ORIGIN_EMBEDDED);
                }
                catch (IOException ex) {
                    last = ex;
                }
            }
            throw new IllegalStateException("Could not start an embedded Redis; set DUALWRITE_TEST_REDIS_HOST or start "
                    + "Redis on 127.0.0.1:6379", last);
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0)) {
                return socket.getLocalPort();
            }
        }

    }

}
