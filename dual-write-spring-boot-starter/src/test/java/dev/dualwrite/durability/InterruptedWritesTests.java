package dev.dualwrite.durability;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.backfill.ChildApplication;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.repair.RedisRepairKeys;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.repair.RepairLog;
import dev.dualwrite.core.repair.RepairRecord;
import dev.dualwrite.core.repair.reconcile.RepairReconciler;
import dev.dualwrite.core.strategy.GateCheck;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;
import dev.dualwrite.testsupport.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.RedisKeyValueAdapter;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The proof that no write is lost to a process killed between its two writes: writers
 * in a child JVM save and delete keys of both Redis shapes from several threads and are killed
 * with {@code SIGKILL} at random moments under load, five times, at {@code DUAL} and then at
 * {@code POSTGRES_PRIMARY} ({@link InterruptedWritesProof}). Every key a full verification finds
 * different afterwards has a write intent or a repair record; the reconciler (in this JVM, with
 * a short grace) drains them and a full verification then finds zero differences.
 */
class InterruptedWritesTests {

    // Repository names of this run's own: repair hashes and intent sets are keyed by name, outside
    // the key prefix, and a run of this class in another worktree clears and drains its own.
    private static final String RUN = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);

    private static final String BOLTS = "durability_bolts_" + RUN;

    private static final String NUTS = "durability_nuts_" + RUN;

    private static final List<String> REPOSITORIES = List.of(BOLTS, NUTS);

    private static final Duration GRACE = Duration.ofSeconds(3);

    private static TestSchema schema;

    private static TestKeyPrefix keys;

    private static JdbcTemplate postgres;

    private static ConfigurableApplicationContext app;

    private static StringRedisTemplate redis;

    @BeforeAll
    static void start() {
        schema = TestSchema.create(InterruptedWritesTests.class);
        keys = TestKeyPrefix.create(InterruptedWritesTests.class);
        postgres = new JdbcTemplate(schema.dataSource());
        // This JVM only verifies and repairs; its reconciler runs when the test says so.
        Map<String, String> properties = properties();
        properties.put("dual-write.repair.enabled", "false");
        properties.put("dual-write.repair.min-age", "0s");
        properties.put("dual-write.repair.initial-backoff", "200ms");
        properties.put("dual-write.repair.max-backoff", "1s");
        properties.put("dual-write.repair.interrupted-write-grace", GRACE.toMillis() + "ms");
        // The grace must exceed the Redis command timeout plus the secondary timeout.
        properties.put("spring.data.redis.timeout", "1s");
        properties.put("dual-write.secondary.timeout", "500ms");
        properties.put("dual-write.control.in-flight-grace", "1s");
        app = new SpringApplicationBuilder(WriterApplication.class).web(WebApplicationType.NONE)
            .run(arguments(properties).toArray(String[]::new));
        redis = new StringRedisTemplate(app.getBean(org.springframework.data.redis.connection.RedisConnectionFactory.class));
        assertThat(app.getBean(DualRepositoryRegistry.class).all()).extracting(DualRepository::name)
            .containsExactlyInAnyOrder(BOLTS, NUTS);
        // The nuts' keyspace is the run's own, so the key prefix's clean-up covers it.
        assertThat(app.getBean(RedisKeyValueAdapter.class)
            .getConverter()
            .getMappingContext()
            .getRequiredPersistentEntity(Nut.class)
            .getKeySpace()).isEqualTo(keys.prefix() + "nuts");
    }

    @AfterAll
    static void stop() {
        try {
            clearStores();
            app.close();
        }
        finally {
            keys.close();
            schema.close();
        }
    }

    @BeforeEach
    void clear() {
        clearStores();
    }

    @Test
    void writersKilledAtDualLeaveEveryDifferingKeyWithAnIntentOrRecordAndTheReconcilerConvergesThem()
            throws Exception {
        killWritersAndConverge(WriteStrategy.DUAL);
    }

    @Test
    void writersKilledAtPostgresPrimaryLeaveEveryDifferingKeyInTheOutboxAndTheReconcilerConvergesThem()
            throws Exception {
        killWritersAndConverge(WriteStrategy.POSTGRES_PRIMARY);
    }

    @Test
    void aDualWriteKilledBeforeItsPostgresCopyIsRepairedThroughItsIntentAlone() throws Exception {
        move(WriteStrategy.DUAL);
        ChildApplication child = null;
        // The table lock holds the child's PostgreSQL copy after its Redis write: the kill then
        // lands exactly between the two writes. A secondary time limit longer than the test keeps
        // the child from recording the copy as failed.
        try (Connection lock = schema.dataSource().getConnection()) {
            lock.setAutoCommit(false);
            lock.createStatement().execute("lock table durability_bolts in access exclusive mode");
            try {
                ChildApplication writer = startChild("dwtest.writer.once=lonely", "dual-write.secondary.timeout=5m",
                        "dual-write.control.in-flight-grace=6m", "dual-write.repair.interrupted-write-grace=6m");
                child = writer;
                await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> redis.hasKey(keys.key("bolt:lonely")) || !writer.isAlive());
                assertThat(writer.isAlive()).as("the child is still inside its write:\n%s", writer.output()).isTrue();
            }
            finally {
                if (child != null) {
                    child.kill();
                }
                lock.rollback();
            }
        }
        assertThat(child.output()).doesNotContain("dwtest: saved");
        assertThat(postgres.queryForObject("select count(*) from durability_bolts where id = 'lonely'", Long.class))
            .as("PostgreSQL never got the write").isZero();
        assertThat(redisRepairLog().pending(BOLTS, 10)).as("no repair record: the copy neither ran nor failed")
            .isEmpty();
        assertThat(intentKeys(BOLTS)).as("the write's intent survived the kill").containsExactly("lonely");

        // Leaving DUAL forward is refused while the dead writer's key is owed, even before the
        // reconciler has turned its intent into a record.
        StrategySource strategies = app.getBean(StrategySource.class);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            GateCheck repairs = refusedMove(strategies, BOLTS, WriteStrategy.POSTGRES_PRIMARY).stream()
                .filter((gate) -> gate.gate().equals("repairs"))
                .findFirst()
                .orElseThrow();
            assertThat(repairs.passed()).isFalse();
            assertThat(repairs.detail()).startsWith("1 key(s) await repair in PostgreSQL");
        });
        assertThat(redisRepairLog().pending(BOLTS, 10)).isEmpty();

        // A move to POSTGRES_PRIMARY made while the intent was younger than the in-flight grace
        // passes (forced here); the move on to POSTGRES_ONLY must then wait for the key, which
        // would never be repaired from Redis past it.
        strategies.change(BOLTS, WriteStrategy.POSTGRES_PRIMARY, true);
        GateCheck owed = refusedMove(strategies, BOLTS, WriteStrategy.POSTGRES_ONLY).stream()
            .filter((gate) -> gate.gate().equals("repairs"))
            .findFirst()
            .orElseThrow();
        assertThat(owed.passed()).isFalse();
        assertThat(owed.detail()).startsWith("1 key(s) await repair in PostgreSQL");

        // Past the grace the intent becomes an ordinary repair record, which the reconciler drains.
        await().atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> redisRepairLog().recordInterruptedWrites(BOLTS) == 1);
        assertThat(intentKeys(BOLTS)).isEmpty();
        List<RepairRecord> records = redisRepairLog().pending(BOLTS, 10);
        assertThat(records).singleElement().satisfies((record) -> {
            assertThat(record.key()).isEqualTo("lonely");
            assertThat(record.reason()).startsWith("write interrupted before PostgreSQL was written (intent from ");
        });
        // Drained at POSTGRES_PRIMARY: the record names Redis as the truth, whatever the stage.
        app.getBean(RepairReconciler.class).drainOnce();

        assertThat(postgres.queryForObject("select name from durability_bolts where id = 'lonely'", String.class))
            .isEqualTo("written once");
        assertThat(redisRepairLog().pendingCount(BOLTS)).isZero();
        assertThat(verify(BOLTS).differences()).isEmpty();
    }

    @Test
    void concurrentWritesOfOneKeyEachClearOnlyTheirOwnIntent() {
        RedisRepairLog log = redisRepairLog();
        String first = log.openIntent(BOLTS, "shared");
        String second = log.openIntent(BOLTS, "shared");
        assertThat(first).isNotEqualTo(second);

        // The second writer finished its copy; the first one's Redis write may not be copied yet.
        log.closeIntent(BOLTS, second);

        assertThat(redis.opsForZSet().range(RedisRepairKeys.DEFAULT.intents(BOLTS), 0, -1)).containsExactly(first);
        // Young: a write in flight, not yet anyone's backlog (nor, younger than the grace, a
        // record). Past the in-flight grace it counts, as the gates count it.
        assertThat(log.backlog(BOLTS, Duration.ZERO)).isEqualTo(1);
        assertThat(log.backlog(BOLTS, Duration.ofMinutes(1))).isZero();
        await().atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> log.pendingCount(BOLTS) == 1);
        await().atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> log.recordInterruptedWrites(BOLTS) == 1);
        assertThat(log.isOpen(BOLTS, "shared")).isTrue();
        // Closing the promoted intent later (its writer was only slow) changes nothing.
        log.closeIntent(BOLTS, first);
        assertThat(log.isOpen(BOLTS, "shared")).isTrue();
        assertThat(log.pendingCount(BOLTS)).isEqualTo(1);
    }

    private static void killWritersAndConverge(WriteStrategy stage) throws Exception {
        InterruptedWritesProof.OldStore redisLog = new InterruptedWritesProof.OldStore() {

            @Override
            public Set<String> intentKeys(String repository) {
                return InterruptedWritesTests.intentKeys(repository);
            }

            @Override
            public RepairLog repairLog(String repository) {
                return redisRepairLog();
            }

        };
        new InterruptedWritesProof("Redis", app, REPOSITORIES, redisLog, InterruptedWritesTests::startChild, GRACE)
            .killWritersAndConverge(stage);
    }

    private static List<GateCheck> refusedMove(StrategySource strategies, String repository, WriteStrategy target) {
        return InterruptedWritesProof.refusedMove(strategies, repository, target);
    }

    private static void move(WriteStrategy stage) {
        InterruptedWritesProof.move(app, REPOSITORIES, stage);
    }

    private static ChildApplication startChild(String... more) throws Exception {
        Map<String, String> properties = properties();
        properties.put("dual-write.repair.enabled", "false");
        properties.put("spring.main.web-application-type", "none");
        for (String property : more) {
            String[] keyValue = property.split("=", 2);
            properties.put(keyValue[0], keyValue[1]);
        }
        return ChildApplication.start(WriterApplication.class, arguments(properties));
    }

    private static Map<String, String> properties() {
        PostgresServer server = schema.server();
        RedisServer redisServer = TestServers.redis();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", schema.jdbcUrl());
        properties.put("spring.datasource.username", server.username());
        properties.put("spring.datasource.password", server.password());
        properties.put("spring.datasource.hikari.maximum-pool-size", "12");
        properties.put("spring.flyway.locations", "classpath:db/durability");
        properties.put("spring.flyway.schemas", schema.name());
        properties.put("spring.data.redis.host", redisServer.host());
        properties.put("spring.data.redis.port", Integer.toString(redisServer.port()));
        properties.put("spring.data.redis.timeout", "5s");
        properties.put("dwtest.durability.prefix", keys.prefix());
        properties.put("dual-write.repositories." + BOLTS + ".redis-repository", "boltRepository");
        properties.put("dual-write.repositories." + BOLTS + ".postgres-repository", "boltRowRepository");
        properties.put("dual-write.repositories." + NUTS + ".redis-repository", "nutRepository");
        properties.put("dual-write.repositories." + NUTS + ".postgres-repository", "nutRowRepository");
        properties.put("dual-write.strategy", "DUAL");
        properties.put("dual-write.secondary.timeout", "2s");
        properties.put("dual-write.secondary.circuit-breaker.minimum-number-of-calls", "100000");
        properties.put("dual-write.control.poll-interval", "200ms");
        return properties;
    }

    private static List<String> arguments(Map<String, String> properties) {
        List<String> arguments = new ArrayList<>();
        properties.forEach((key, value) -> arguments.add("--" + key + "=" + value));
        return arguments;
    }

    private static VerificationReport verify(String repository) {
        return InterruptedWritesProof.verify(app, repository);
    }

    private static RedisRepairLog redisRepairLog() {
        return app.getBean(RedisRepairLog.class);
    }

    private static Set<String> intentKeys(String repository) {
        Set<String> members = redis.opsForZSet().range(RedisRepairKeys.DEFAULT.intents(repository), 0, -1);
        return (members != null)
                ? members.stream().map((member) -> member.substring(member.indexOf('|') + 1)).collect(Collectors.toSet())
                : Set.of();
    }

    private static void clearStores() {
        postgres.update("delete from durability_bolts");
        postgres.update("delete from durability_nuts");
        postgres.update("delete from dualwrite_repair");
        keys.deleteKeys();
        for (String repository : REPOSITORIES) {
            redis.delete(RedisRepairKeys.DEFAULT.all(repository));
        }
    }

}
