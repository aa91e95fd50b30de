package dev.dualwrite.core.secondary;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.dualwrite.core.metrics.DualWriteMetrics;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RedisRepairKeys;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.TcpProxy;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestServers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link SecondaryWriteGuard} against real servers behind a {@link TcpProxy}: a
 * write that hangs on a silent Redis is ended at the time limit (with Lettuce's default 60 s
 * command timeout and a limiter that does not cancel by itself), and a failure that cannot be
 * recorded fails the call only when the key was not recorded already.
 */
class SecondaryWriteGuardTests {

    private static final Duration LIMIT = Duration.ofMillis(500);

    // Far below Lettuce's 60 s, far above the limit: what tells an ended write from one that
    // waited for the client's own timeout, even on a loaded machine.
    private static final Duration ENDED_WITHIN = Duration.ofSeconds(10);

    private final TestKeyPrefix keys = TestKeyPrefix.create(SecondaryWriteGuardTests.class);

    private TcpProxy redisProxy;

    private LettuceConnectionFactory proxiedRedis;

    private LettuceConnectionFactory directRedis;

    private SecondaryWriteGuard guard;

    @BeforeEach
    void start() {
        this.redisProxy = TcpProxy.start(this.keys.server().host(), this.keys.server().port());
        // Lettuce's defaults: a command waits 60 s for its answer.
        this.proxiedRedis = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(this.redisProxy.host(), this.redisProxy.port()));
        this.proxiedRedis.afterPropertiesSet();
        this.directRedis = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(this.keys.server().host(), this.keys.server().port()));
        this.directRedis.afterPropertiesSet();
        Map<Store, CircuitBreaker> breakers = new EnumMap<>(Store.class);
        for (Store store : Store.values()) {
            breakers.put(store, CircuitBreaker.ofDefaults("test-" + store));
        }
        // cancelRunningFuture(false): the guard ends a timed-out write all the same.
        TimeLimiter limiter = TimeLimiter
            .of(TimeLimiterConfig.custom().timeoutDuration(LIMIT).cancelRunningFuture(false).build());
        this.guard = new SecondaryWriteGuard(breakers, limiter,
                new ThreadPoolExecutor(2, 2, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10)), FailurePolicy.LENIENT,
                new DualWriteMetrics(new SimpleMeterRegistry()));
    }

    @AfterEach
    void stop() throws InterruptedException {
        this.redisProxy.restore();
        this.guard.close();
        this.proxiedRedis.destroy();
        new StringRedisTemplate(this.directRedis).delete(RedisRepairKeys.DEFAULT.records(repository()));
        this.directRedis.destroy();
        this.redisProxy.close();
        this.keys.close();
    }

    @Test
    void writeHungOnASilentRedisIsInterruptedAtTheTimeLimitNotAfterLettucesTimeout() throws Exception {
        StringRedisTemplate redis = new StringRedisTemplate(this.proxiedRedis);
        redis.opsForValue().set(this.keys.key("k"), "v");
        // Connected before the clock starts, as the repair log of a running application is.
        new StringRedisTemplate(this.directRedis).hasKey(this.keys.key("k"));
        this.redisProxy.blackhole(true);
        AtomicReference<Throwable> ended = new AtomicReference<>();
        AtomicReference<Long> endedAt = new AtomicReference<>();
        long start = System.nanoTime();
        this.guard.write(repository(), "k", Store.REDIS, () -> {
            try {
                redis.opsForValue().set(this.keys.key("k"), "w");
            }
            catch (RuntimeException ex) {
                ended.set(ex);
                endedAt.set(System.nanoTime());
                throw ex;
            }
        }, new RedisRepairLog(new StringRedisTemplate(this.directRedis)));
        Duration call = Duration.ofNanos(System.nanoTime() - start);
        await().atMost(ENDED_WITHIN).until(() -> endedAt.get() != null);
        Duration write = Duration.ofNanos(endedAt.get() - start);
        System.out.printf("Redis silent, limit %s: the call returned after %.3f s, the write ended after %.3f s (%s)%n",
                LIMIT, call.toNanos() / 1e9, write.toNanos() / 1e9, ended.get());
        assertThat(call).isLessThan(ENDED_WITHIN);
        // Ended by the interrupt while Redis is still silent, not by Lettuce's 60 s timeout.
        assertThat(write).isLessThan(ENDED_WITHIN);
        assertThat(ended.get()).hasRootCauseInstanceOf(InterruptedException.class);
        assertThat(new StringRedisTemplate(this.directRedis).opsForHash()
            .keys(RedisRepairKeys.DEFAULT.records(repository())))
            .containsExactly("k");
    }

    @Test
    void workWithinTheTimeLimitOnTheCallersThreadIsEndedAndLeavesNoInterruptBehind() {
        StringRedisTemplate redis = new StringRedisTemplate(this.proxiedRedis);
        redis.opsForValue().set(this.keys.key("k"), "v");
        this.redisProxy.blackhole(true);
        long start = System.nanoTime();
        assertThatExceptionOfType(QueryTimeoutException.class)
            .isThrownBy(() -> this.guard.withinTimeLimit(() -> redis.opsForValue().get(this.keys.key("k"))))
            .withMessageContaining("did not finish within PT0.5S");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("Redis silent, limit %s: work on the caller's thread was ended after %.3f s%n", LIMIT,
                took.toNanos() / 1e9);
        assertThat(took).isLessThan(ENDED_WITHIN);
        assertThat(Thread.currentThread().isInterrupted()).as("interrupt left on the caller's thread").isFalse();
        this.redisProxy.restore();
        assertThat(this.guard.withinTimeLimit(() -> "done")).isEqualTo("done");
    }

    @Test
    void interruptFromElsewhereBeforeTheDeadlineSurvivesTheDeadline() {
        long busyUntil = System.nanoTime() + LIMIT.plusMillis(300).toNanos();
        String result = this.guard.withinTimeLimit(() -> {
            // Someone else's interrupt, then work that neither blocks nor clears the flag
            // while the deadline passes.
            Thread.currentThread().interrupt();
            while (System.nanoTime() < busyUntil) {
                Thread.onSpinWait();
            }
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(Thread.interrupted()).as("the other interrupt is still set").isTrue();
    }

    @Test
    void closeInterruptsAWriteStillHungAfterItsGrace() throws Exception {
        StringRedisTemplate redis = new StringRedisTemplate(this.proxiedRedis);
        redis.opsForValue().set(this.keys.key("k"), "v");
        Map<Store, CircuitBreaker> breakers = new EnumMap<>(Store.class);
        for (Store store : Store.values()) {
            breakers.put(store, CircuitBreaker.ofDefaults("test-close-" + store));
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1));
        // A limit longer than the test: only close() can end the write.
        SecondaryWriteGuard patient = new SecondaryWriteGuard(breakers,
                TimeLimiter.of(TimeLimiterConfig.custom().timeoutDuration(Duration.ofMinutes(5)).build()), pool,
                FailurePolicy.LENIENT, new DualWriteMetrics(new SimpleMeterRegistry()));
        this.redisProxy.blackhole(true);
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread caller = new Thread(() -> patient.write(repository(), "k", Store.REDIS, () -> {
            try {
                redis.opsForValue().set(this.keys.key("k"), "w");
            }
            catch (RuntimeException ex) {
                ended.set(ex);
                throw ex;
            }
        }, new RedisRepairLog(new StringRedisTemplate(this.directRedis))));
        caller.start();
        await().atMost(ENDED_WITHIN).until(() -> pool.getActiveCount() == 1);
        long start = System.nanoTime();
        patient.close();
        Duration closed = Duration.ofNanos(System.nanoTime() - start);
        await().atMost(ENDED_WITHIN).until(() -> ended.get() != null);
        caller.join(ENDED_WITHIN.toMillis());
        System.out.printf("Redis silent: close() returned after %.3f s, having interrupted the hung write (%s)%n",
                closed.toNanos() / 1e9, ended.get());
        assertThat(ended.get()).hasRootCauseInstanceOf(InterruptedException.class);
    }

    @Test
    void failureThatCannotBeRecordedFailsTheCallUnlessTheKeyIsRecordedAlready() {
        // PostgreSQL refuses connections: both the write and its repair record fail for real.
        PostgresServer server = TestServers.postgres();
        try (TcpProxy postgresProxy = TcpProxy.start(server.host(), server.port())) {
            postgresProxy.refuseConnections();
            PostgresServer refused = server.withAddress(postgresProxy.host(), postgresProxy.port());
            JdbcTemplate jdbc = new JdbcTemplate(
                    new DriverManagerDataSource(refused.jdbcUrl(), refused.username(), refused.password()));
            PostgresRepairLog log = new PostgresRepairLog(jdbc);
            Runnable write = () -> jdbc.execute("select 1");
            assertThatExceptionOfType(SecondaryWriteException.class)
                .isThrownBy(() -> this.guard.write(repository(), "k", Store.POSTGRES, write, log, false))
                .withMessageContaining("recording it for repair failed too")
                .withMessageContaining("key 'k'");
            // The outbox record committed with the primary write still covers the key.
            assertThatNoException().isThrownBy(() -> this.guard.write(repository(), "k", Store.POSTGRES, write, log, true));
        }
    }

    private String repository() {
        return this.keys.prefix() + "repo";
    }

}
