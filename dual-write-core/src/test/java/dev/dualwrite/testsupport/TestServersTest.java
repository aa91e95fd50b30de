package dev.dualwrite.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TestServersTest {

    @Test
    void choosesLocalhostWhenNothingIsConfiguredAndServersAnswerOnTheDefaultPorts() {
        assumeTrue(unset(TestServers.MODE) && unset("DUALWRITE_TEST_POSTGRES_URL") && unset("DUALWRITE_TEST_REDIS_HOST"),
                "servers are configured explicitly");
        assumeTrue(listening(5432) && listening(6379), "no servers on localhost's default ports");

        assertThat(TestServers.postgres()).isEqualTo(
                new PostgresServer("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "", TestServers.ORIGIN_LOCALHOST));
        assertThat(TestServers.redis()).isEqualTo(new RedisServer("127.0.0.1", 6379, TestServers.ORIGIN_LOCALHOST));
    }

    @Test
    void decidesOncePerJvmAndTheServersWork() throws Exception {
        PostgresServer postgres = TestServers.postgres();
        RedisServer redis = TestServers.redis();

        assertThat(TestServers.postgres()).isSameAs(postgres);
        assertThat(TestServers.redis()).isSameAs(redis);
        assertThat(ForcedEmbedded.selectOne(postgres)).isEqualTo(1);
        assertThat(ForcedEmbedded.ping(redis)).isEqualTo("PONG");
    }

    @Test
    void jdbcUrlWithSchemaAndAddressKeepTheDatabase() {
        PostgresServer server = new PostgresServer("jdbc:postgresql://db.example:6543/app?ssl=false", "u", "p", "x");

        assertThat(server.host()).isEqualTo("db.example");
        assertThat(server.port()).isEqualTo(6543);
        assertThat(server.jdbcUrl("dw_s")).isEqualTo("jdbc:postgresql://db.example:6543/app?ssl=false&currentSchema=dw_s");
        assertThat(server.withAddress("127.0.0.1", 40000).jdbcUrl())
            .isEqualTo("jdbc:postgresql://127.0.0.1:40000/app?ssl=false");
        assertThat(new PostgresServer("jdbc:postgresql://h/db", "u", "p", "x").jdbcUrl("s"))
            .isEqualTo("jdbc:postgresql://h/db?currentSchema=s");
    }

    /**
     * The fallback of a fresh machine, run in a child JVM so that this JVM's choice stays as it
     * is: both embedded servers start once, work, and are gone when the JVM exits. Exclude
     * with {@code -DexcludedGroups=embedded} if it is ever too slow.
     */
    @Test
    @Tag("embedded")
    void forcedEmbeddedStartsBothEmbeddedServersOnceAndStopsThemAtExit() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-D" + TestServers.MODE + "=embedded", ForcedEmbedded.class.getName())
            .redirectErrorStream(true)
            .start();
        child.getOutputStream().close();
        byte[] output = child.getInputStream().readAllBytes(); // returns when the child exits
        assertThat(child.waitFor(3, TimeUnit.MINUTES)).isTrue();
        String log = new String(output, StandardCharsets.UTF_8);

        assertThat(child.exitValue()).as(log).isZero();
        String result = log.lines().filter((line) -> line.startsWith("RESULT ")).findFirst().orElseThrow();
        List<String> fields = List.of(result.split(" "));
        assertThat(fields).as(log).containsSubsequence("postgres", "embedded", "redis", "embedded", "same", "true");
        int postgresPort = Integer.parseInt(fields.get(fields.indexOf("postgres") + 2));
        int redisPort = Integer.parseInt(fields.get(fields.indexOf("redis") + 2));
        assertThat(log).as("embedded PostgreSQL started once")
            .containsOnlyOnce("PostgreSQL: " + TestServers.MODE + "=embedded forces an embedded server");
        assertThat(awaitClosed(postgresPort)).as("embedded PostgreSQL stopped at exit").isTrue();
        assertThat(awaitClosed(redisPort)).as("embedded Redis stopped at exit").isTrue();
    }

    private static boolean unset(String name) {
        return System.getProperty(name) == null && System.getenv(name) == null;
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

    private static boolean awaitClosed(int port) {
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> !listening(port));
            return true;
        }
        catch (ConditionTimeoutException ex) {
            return false;
        }
    }

    /** Main class of the child JVM: uses both servers twice and prints what it got. */
    static final class ForcedEmbedded {

        public static void main(String[] args) throws Exception {
            PostgresServer postgres = TestServers.postgres();
            RedisServer redis = TestServers.redis();
            boolean same = TestServers.postgres() == postgres && TestServers.redis() == redis;
            if (selectOne(postgres) != 1 || !"PONG".equals(ping(redis))) {
                throw new IllegalStateException("Embedded servers do not answer");
            }
            System.out.println("RESULT postgres " + postgres.origin() + " " + postgres.port() + " redis "
                    + redis.origin() + " " + redis.port() + " same " + same);
        }

        static int selectOne(PostgresServer server) throws SQLException {
            try (Connection connection = server.connect();
                    Statement statement = connection.createStatement();
                    ResultSet result = statement.executeQuery("SELECT 1")) {
                result.next();
                return result.getInt(1);
            }
        }

        static String ping(RedisServer server) {
            RedisClient client = RedisClient.create(RedisURI.create(server.host(), server.port()));
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                return connection.sync().ping();
            }
            finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }

    }

}
