package dev.dualwrite.testsupport;

import java.net.ConnectException;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import com.zaxxer.hikari.HikariDataSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Proves each fault of {@link TcpProxy} through real PostgreSQL (JDBC) and Redis (Lettuce)
 * clients. Timings are asserted loosely: a fault must be visible, not precise.
 */
class TcpProxyTest {

    private static final Duration DELAY = Duration.ofMillis(300);

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(TcpProxyTest.class);

    private static RedisClient redisClient;

    private TcpProxy postgresProxy;

    private TcpProxy redisProxy;

    private PostgresServer proxiedPostgres;

    @BeforeAll
    static void redisClient() {
        redisClient = RedisClient.create();
    }

    @AfterAll
    static void shutdownRedisClient() {
        redisClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    @BeforeEach
    void startProxies() {
        PostgresServer postgres = TestServers.postgres();
        RedisServer redis = TestServers.redis();
        this.postgresProxy = TcpProxy.start(postgres.host(), postgres.port());
        this.redisProxy = TcpProxy.start(redis.host(), redis.port());
        this.proxiedPostgres = postgres.withAddress(this.postgresProxy.host(), this.postgresProxy.port());
    }

    @AfterEach
    void closeProxies() {
        this.postgresProxy.close();
        this.redisProxy.close();
    }

    @Test
    void forwardsPostgresAndRedisTraffic() throws Exception {
        try (Connection connection = connectToPostgres(Duration.ofSeconds(5))) {
            assertThat(selectOne(connection)).isEqualTo(1);
            assertThat(this.postgresProxy.connectionCount()).isEqualTo(1);
        }
        try (StatefulRedisConnection<String, String> redis = connectToRedis(Duration.ofSeconds(5))) {
            assertThat(redis.sync().ping()).isEqualTo("PONG");
        }
    }

    @Test
    void refuseConnectionsRefusesNewPostgresConnectionsAndBreaksOpenOnes() throws Exception {
        try (Connection open = connectToPostgres(Duration.ofSeconds(5))) {
            assertThat(selectOne(open)).isEqualTo(1);

            this.postgresProxy.refuseConnections();

            assertThatThrownBy(() -> selectOne(open)).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> connectToPostgres(Duration.ofSeconds(5))).isInstanceOf(SQLException.class)
                .hasRootCauseInstanceOf(ConnectException.class);
            assertThatThrownBy(() -> new Socket(this.postgresProxy.host(), this.postgresProxy.port()).close())
                .isInstanceOf(ConnectException.class);
        }

        this.postgresProxy.restore();

        try (Connection connection = connectToPostgres(Duration.ofSeconds(5))) {
            assertThat(selectOne(connection)).isEqualTo(1);
        }
    }

    @Test
    void dropConnectionsBreaksOpenPostgresConnectionsAndKeepsAccepting() throws Exception {
        try (Connection first = connectToPostgres(Duration.ofSeconds(5));
                Connection second = connectToPostgres(Duration.ofSeconds(5))) {
            assertThat(this.postgresProxy.connectionCount()).isEqualTo(2);

            this.postgresProxy.dropConnections();

            assertThatThrownBy(() -> selectOne(first)).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> selectOne(second)).isInstanceOf(SQLException.class);
            try (Connection fresh = connectToPostgres(Duration.ofSeconds(5))) {
                assertThat(selectOne(fresh)).isEqualTo(1);
            }
        }
    }

    @Test
    void delaySlowsEveryPostgresRoundTripUntilSetToZero() throws Exception {
        try (Connection connection = connectToPostgres(Duration.ofSeconds(10))) {
            this.postgresProxy.delay(DELAY);
            assertThat(timeMillis(() -> selectOne(connection))).isGreaterThanOrEqualTo(DELAY.toMillis());

            this.postgresProxy.delay(Duration.ZERO);
            assertThat(timeMillis(() -> selectOne(connection))).isLessThan(DELAY.toMillis());
        }
    }

    @Test
    void blackholeMakesPostgresClientsHangUntilTheirOwnTimeout() throws Exception {
        Duration timeout = Duration.ofSeconds(1);
        try (Connection open = connectToPostgres(timeout)) {
            this.postgresProxy.blackhole(true);

            long millis = timeMillis(() -> assertThatThrownBy(() -> selectOne(open)).isInstanceOf(SQLException.class));
            assertThat(millis).isGreaterThanOrEqualTo(timeout.toMillis() - 100);
            assertThatThrownBy(() -> connectToPostgres(timeout)).isInstanceOf(SQLException.class);
            assertThat(this.postgresProxy.connectionCount()).as("connections are accepted and kept").isGreaterThan(0);
        }

        this.postgresProxy.restore();

        try (Connection connection = connectToPostgres(timeout)) {
            assertThat(selectOne(connection)).isEqualTo(1);
        }
    }

    @Test
    void refuseAndRestoreCanBeRepeatedAndAlwaysReuseTheSamePort() throws Exception {
        int port = this.postgresProxy.port();
        for (int round = 0; round < 10; round++) {
            this.postgresProxy.refuseConnections();
            this.postgresProxy.refuseConnections();
            assertThatThrownBy(() -> new Socket(this.postgresProxy.host(), port).close())
                .isInstanceOf(ConnectException.class);

            this.postgresProxy.restore();
            this.postgresProxy.restore();
            this.postgresProxy.dropConnections();
            assertThat(this.postgresProxy.port()).isEqualTo(port);
            try (Connection connection = connectToPostgres(Duration.ofSeconds(5))) {
                assertThat(selectOne(connection)).isEqualTo(1);
            }
        }
    }

    @Test
    void restoreClearsDelayAndBlackholeAndReleasesDataHeldMeanwhile() throws Exception {
        try (Connection connection = connectToPostgres(Duration.ofSeconds(30))) {
            this.postgresProxy.delay(Duration.ofSeconds(20));
            this.postgresProxy.blackhole(true);
            ExecutorService executor = Executors.newSingleThreadExecutor();
            try {
                Future<Integer> held = executor.submit(() -> selectOne(connection));
                // Held, not merely slow: still not answered throughout a short window.
                await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !held.isDone());

                this.postgresProxy.restore();

                assertThat(held.get()).isEqualTo(1);
                assertThat(timeMillis(() -> selectOne(connection))).isLessThan(DELAY.toMillis());
            }
            finally {
                executor.shutdownNow();
            }
        }
    }

    @Test
    void forwardsTheManyConcurrentConnectionsOfAPool() throws Exception {
        try (HikariDataSource pool = new HikariDataSource()) {
            pool.setJdbcUrl(this.proxiedPostgres.jdbcUrl());
            pool.setUsername(this.proxiedPostgres.username());
            pool.setPassword(this.proxiedPostgres.password());
            pool.setMaximumPoolSize(20);
            pool.setMinimumIdle(20);
            ExecutorService executor = Executors.newFixedThreadPool(20);
            try {
                List<Callable<Integer>> work = new ArrayList<>();
                for (int task = 0; task < 400; task++) {
                    work.add(() -> {
                        try (Connection connection = pool.getConnection()) {
                            return selectOne(connection);
                        }
                    });
                }
                for (Future<Integer> result : executor.invokeAll(work)) {
                    assertThat(result.get()).isEqualTo(1);
                }
            }
            finally {
                executor.shutdownNow();
            }
            assertThat(this.postgresProxy.connectionCount()).isGreaterThan(1);
        }
        awaitZeroConnections(this.postgresProxy);
    }

    @Test
    void refuseConnectionsMakesRedisUnreachableUntilRestored() throws Exception {
        try (StatefulRedisConnection<String, String> open = connectToRedis(Duration.ofSeconds(1))) {
            assertThat(open.sync().ping()).isEqualTo("PONG");

            this.redisProxy.refuseConnections();

            assertThatThrownBy(() -> open.sync().ping()).isInstanceOf(RedisException.class);
            assertThatThrownBy(() -> connectToRedis(Duration.ofSeconds(1))).isInstanceOf(RedisConnectionException.class)
                .hasRootCauseInstanceOf(ConnectException.class);
        }

        this.redisProxy.restore();

        try (StatefulRedisConnection<String, String> fresh = connectToRedis(Duration.ofSeconds(1))) {
            assertThat(fresh.sync().ping()).isEqualTo("PONG");
        }
    }

    @Test
    void dropConnectionsMakesRedisClientsReconnect() throws Exception {
        try (StatefulRedisConnection<String, String> redis = connectToRedis(Duration.ofSeconds(5))) {
            long clientId = redis.sync().clientId();

            this.redisProxy.dropConnections();

            // Lettuce reconnects on its own: the next command runs on a new server connection.
            long reconnectedId = eventually(() -> redis.sync().clientId());
            assertThat(reconnectedId).isNotEqualTo(clientId);
        }
    }

    @Test
    void delaySlowsRedisCommandsUntilSetToZero() throws Exception {
        try (StatefulRedisConnection<String, String> redis = connectToRedis(Duration.ofSeconds(10))) {
            this.redisProxy.delay(DELAY);
            assertThat(timeMillis(() -> redis.sync().ping())).isGreaterThanOrEqualTo(DELAY.toMillis());

            this.redisProxy.delay(Duration.ZERO);
            assertThat(timeMillis(() -> redis.sync().ping())).isLessThan(DELAY.toMillis());
        }
    }

    @Test
    void dataAClientGaveUpOnStillArrivesOnceTheDelayIsCleared() throws Exception {
        RedisServer redis = TestServers.redis();
        try (StatefulRedisConnection<String, String> slow = connectToRedis(Duration.ofMillis(300));
                StatefulRedisConnection<String, String> direct = redisClient
                    .connect(RedisURI.create(redis.host(), redis.port()))) {
            this.redisProxy.delay(Duration.ofSeconds(20));
            assertThatThrownBy(() -> slow.sync().set(keys.key("late"), "landed"))
                .isInstanceOf(RedisCommandTimeoutException.class);
            assertThat(direct.sync().get(keys.key("late"))).isNull();

            this.redisProxy.delay(Duration.ZERO);

            assertThat(eventually(() -> {
                String value = direct.sync().get(keys.key("late"));
                if (value == null) {
                    throw new RedisException("not yet");
                }
                return value;
            })).isEqualTo("landed");
        }
    }

    @Test
    void blackholeMakesRedisCommandsTimeOutUntilRestored() throws Exception {
        Duration timeout = Duration.ofMillis(500);
        try (StatefulRedisConnection<String, String> redis = connectToRedis(timeout)) {
            this.redisProxy.blackhole(true);

            long millis = timeMillis(() -> assertThatThrownBy(() -> redis.sync().ping())
                .isInstanceOf(RedisCommandTimeoutException.class));
            assertThat(millis).isGreaterThanOrEqualTo(timeout.toMillis() - 100);

            this.redisProxy.restore();

            assertThat(eventually(() -> redis.sync().ping())).isEqualTo("PONG");
        }
    }

    @Test
    void addsNoNoticeableLatency() throws Exception {
        RedisServer redis = TestServers.redis();
        try (StatefulRedisConnection<String, String> direct = redisClient
            .connect(RedisURI.create(redis.host(), redis.port()));
                StatefulRedisConnection<String, String> proxied = connectToRedis(Duration.ofSeconds(5))) {
            int pings = 2_000;
            ping(direct, 500); // warm up both paths first, so the JIT does not favour the second
            ping(proxied, 500);
            long directMillis = timeMillis(() -> ping(direct, pings));
            long proxiedMillis = timeMillis(() -> ping(proxied, pings));
            System.out.printf("%d sequential PINGs: direct %d ms, through TcpProxy %d ms%n", pings, directMillis,
                    proxiedMillis);
            // Loose on purpose: proves "no per-chunk sleep or poll", not a benchmark.
            assertThat(proxiedMillis).isLessThan(Math.max(5_000, directMillis * 20));
        }
    }

    private Connection connectToPostgres(Duration timeout) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", this.proxiedPostgres.username());
        properties.setProperty("password", this.proxiedPostgres.password());
        String seconds = String.valueOf(Math.max(1, timeout.toSeconds()));
        properties.setProperty("connectTimeout", seconds);
        properties.setProperty("loginTimeout", seconds);
        properties.setProperty("socketTimeout", seconds);
        return DriverManager.getConnection(this.proxiedPostgres.jdbcUrl(), properties);
    }

    private StatefulRedisConnection<String, String> connectToRedis(Duration timeout) {
        RedisURI uri = RedisURI.create(this.redisProxy.host(), this.redisProxy.port());
        uri.setTimeout(timeout);
        return redisClient.connect(uri);
    }

    private static int selectOne(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT 1")) {
            result.next();
            return result.getInt(1);
        }
    }

    private static void ping(StatefulRedisConnection<String, String> connection, int times) {
        for (int i = 0; i < times; i++) {
            connection.sync().ping();
        }
    }

    private static long timeMillis(ThrowingRunnable action) throws Exception {
        long start = System.nanoTime();
        action.run();
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    private static <T> T eventually(Callable<T> action) {
        AtomicReference<T> result = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).ignoreException(RedisException.class).until(() -> {
            result.set(action.call());
            return true;
        });
        return result.get();
    }

    private static void awaitZeroConnections(TcpProxy proxy) {
        await("connections left open through the proxy").atMost(Duration.ofSeconds(10))
            .until(() -> proxy.connectionCount() == 0);
    }

    @FunctionalInterface
    private interface ThrowingRunnable {

        void run() throws Exception;

    }

}
