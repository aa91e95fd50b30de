package dev.dualwrite.durability;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.backfill.ChildApplication;
import dev.dualwrite.contract.jdbc.JdbcItem;
import dev.dualwrite.contract.jdbc.LegacySchema;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.repair.JdbcRepairLog;
import dev.dualwrite.core.repair.OldStoreRepairLog;
import dev.dualwrite.core.repair.RepairLog;
import dev.dualwrite.core.repair.RepairRecord;
import dev.dualwrite.core.repair.RoutingOldStoreRepairLog;
import dev.dualwrite.core.repair.reconcile.RepairReconciler;
import dev.dualwrite.core.strategy.GateCheck;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TestSchema;
import dev.dualwrite.testsupport.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link InterruptedWritesTests}'s proof for an old store that is a Spring Data JDBC table on
 * an old schema of the same PostgreSQL, reached through a second {@code DataSource} (the
 * strategy contract's {@link dev.dualwrite.contract.jdbc.JdbcContractApplication}): writers in
 * a child JVM save and delete items through the old repository from several threads and are
 * killed with {@code SIGKILL} at random moments under load, five times, at {@code DUAL} and
 * then at {@code POSTGRES_PRIMARY}. Every key a full verification finds different afterwards
 * has a write intent or a repair record (the old store's, kept in the old schema, or
 * PostgreSQL's outbox); the reconciler (in this JVM, with a short grace) drains them and a
 * full verification then finds zero differences. A write killed exactly between its two writes
 * at {@code DUAL} is repaired through its intent in the old schema alone.
 */
class JdbcInterruptedWritesTests {

    // Named by the contract application's pairing; the records of both logs live in this
    // class's own schemas.
    private static final String ITEMS = "jdbc_items";

    private static final List<String> REPOSITORIES = List.of(ITEMS);

    private static final Duration GRACE = Duration.ofSeconds(3);

    private static TestSchema schema;

    private static LegacySchema legacy;

    private static JdbcTemplate postgres;

    private static ConfigurableApplicationContext app;

    @BeforeAll
    static void start() {
        schema = TestSchema.create(JdbcInterruptedWritesTests.class);
        legacy = LegacySchema.start(JdbcInterruptedWritesTests.class, JdbcItem.OLD_TABLE);
        postgres = new JdbcTemplate(schema.dataSource());
        // This JVM only verifies and repairs; its reconciler runs when the test says so.
        Map<String, String> properties = properties();
        properties.put("dual-write.repair.enabled", "false");
        properties.put("dual-write.repair.min-age", "0s");
        properties.put("dual-write.repair.initial-backoff", "200ms");
        properties.put("dual-write.repair.max-backoff", "1s");
        properties.put("dual-write.repair.interrupted-write-grace", GRACE.toMillis() + "ms");
        // The grace must exceed the secondary timeout plus the time of a live write on the old
        // store: assumed as long as the Redis command timeout, which the default log (of the
        // Redis repositories this application has none of) checks.
        properties.put("spring.data.redis.timeout", "1s");
        properties.put("dual-write.secondary.timeout", "500ms");
        properties.put("dual-write.control.in-flight-grace", "1s");
        app = new SpringApplicationBuilder(JdbcWriterApplication.class).web(WebApplicationType.NONE)
            .run(arguments(properties).toArray(String[]::new));
        assertThat(app.getBean(DualRepositoryRegistry.class).all()).extracting(DualRepository::name)
            .containsExactly(ITEMS);
        assertThat(oldRepairLog(ITEMS)).as("the old store's records are kept in the old schema")
            .isInstanceOf(JdbcRepairLog.class);
    }

    @AfterAll
    static void stop() {
        try {
            if (app != null) {
                clearStores();
                app.close();
            }
        }
        finally {
            try {
                legacy.close();
            }
            finally {
                schema.close();
            }
        }
    }

    @BeforeEach
    void clear() {
        clearStores();
    }

    @Test
    void writersKilledAtDualLeaveEveryDifferingKeyWithAnIntentOrRecordInTheOldSchemaAndTheReconcilerConvergesThem()
            throws Exception {
        killWritersAndConverge(WriteStrategy.DUAL);
    }

    @Test
    void writersKilledAtPostgresPrimaryLeaveEveryDifferingKeyInTheOutboxAndTheReconcilerConvergesThem()
            throws Exception {
        killWritersAndConverge(WriteStrategy.POSTGRES_PRIMARY);
    }

    @Test
    void aDualWriteKilledBeforeItsPostgresCopyIsRepairedThroughItsIntentInTheOldSchemaAlone() throws Exception {
        InterruptedWritesProof.move(app, REPOSITORIES, WriteStrategy.DUAL);
        ChildApplication child = null;
        // The table lock holds the child's PostgreSQL copy after its write to the old schema has
        // committed: the kill then lands exactly between the two writes. A secondary time limit
        // longer than the test keeps the child from recording the copy as failed.
        try (Connection lock = schema.dataSource().getConnection()) {
            lock.setAutoCommit(false);
            lock.createStatement().execute("lock table jdbc_items in access exclusive mode");
            try {
                ChildApplication writer = startChild("dwtest.writer.once=lonely", "dual-write.secondary.timeout=5m",
                        "dual-write.control.in-flight-grace=6m", "dual-write.repair.interrupted-write-grace=6m");
                child = writer;
                await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> oldNames("lonely").size() == 1 || !writer.isAlive());
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
        assertThat(oldNames("lonely")).as("the old schema got the write").containsExactly("written once");
        assertThat(postgres.queryForObject("select count(*) from jdbc_items where id = 'lonely'", Long.class))
            .as("PostgreSQL never got the write").isZero();
        assertThat(oldRepairLog(ITEMS).pending(ITEMS, 10)).as("no repair record: the copy neither ran nor failed")
            .isEmpty();
        assertThat(intentKeys(ITEMS)).as("the write's intent survived the kill").containsExactly("lonely");

        // Leaving DUAL forward is refused while the dead writer's key is owed, even before the
        // reconciler has turned its intent into a record.
        StrategySource strategies = app.getBean(StrategySource.class);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            GateCheck repairs = InterruptedWritesProof.refusedMove(strategies, ITEMS, WriteStrategy.POSTGRES_PRIMARY)
                .stream()
                .filter((gate) -> gate.gate().equals("repairs"))
                .findFirst()
                .orElseThrow();
            assertThat(repairs.passed()).isFalse();
            assertThat(repairs.detail()).startsWith("1 key(s) await repair in PostgreSQL");
        });
        assertThat(oldRepairLog(ITEMS).pending(ITEMS, 10)).isEmpty();

        // A move to POSTGRES_PRIMARY made while the intent was younger than the in-flight grace
        // passes (forced here); the move on to POSTGRES_ONLY must then wait for the key, which
        // would never be repaired from the old store past it.
        strategies.change(ITEMS, WriteStrategy.POSTGRES_PRIMARY, true);
        GateCheck owed = InterruptedWritesProof.refusedMove(strategies, ITEMS, WriteStrategy.POSTGRES_ONLY)
            .stream()
            .filter((gate) -> gate.gate().equals("repairs"))
            .findFirst()
            .orElseThrow();
        assertThat(owed.passed()).isFalse();
        assertThat(owed.detail()).startsWith("1 key(s) await repair in PostgreSQL");

        // Past the grace the intent becomes an ordinary repair record in the old schema, which
        // the reconciler drains.
        await().atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> oldRepairLog(ITEMS).recordInterruptedWrites(ITEMS) == 1);
        assertThat(intentKeys(ITEMS)).isEmpty();
        List<RepairRecord> records = oldRepairLog(ITEMS).pending(ITEMS, 10);
        assertThat(records).singleElement().satisfies((record) -> {
            assertThat(record.key()).isEqualTo("lonely");
            assertThat(record.reason()).startsWith("write interrupted before PostgreSQL was written (intent from ");
        });
        // Drained at POSTGRES_PRIMARY: the record names the old store as the truth, whatever the
        // stage.
        app.getBean(RepairReconciler.class).drainOnce();

        assertThat(postgres.queryForObject("select name from jdbc_items where id = 'lonely'", String.class))
            .isEqualTo("written once");
        assertThat(oldRepairLog(ITEMS).pendingCount(ITEMS)).isZero();
        assertThat(InterruptedWritesProof.verify(app, ITEMS).differences()).isEmpty();
    }

    private static void killWritersAndConverge(WriteStrategy stage) throws Exception {
        InterruptedWritesProof.OldStore oldSchema = new InterruptedWritesProof.OldStore() {

            @Override
            public Set<String> intentKeys(String repository) {
                return JdbcInterruptedWritesTests.intentKeys(repository);
            }

            @Override
            public RepairLog repairLog(String repository) {
                return oldRepairLog(repository);
            }

        };
        new InterruptedWritesProof("JDBC", app, REPOSITORIES, oldSchema, JdbcInterruptedWritesTests::startChild, GRACE)
            .killWritersAndConverge(stage);
    }

    // The log the application routes the repository's records to: the old schema's.
    private static OldStoreRepairLog oldRepairLog(String repository) {
        return app.getBean(RoutingOldStoreRepairLog.class).logOf(repository);
    }

    private static Set<String> intentKeys(String repository) {
        return new HashSet<>(legacy.jdbc()
            .queryForList("select entity_key from dualwrite_source_intent where repository = ?", String.class,
                    repository));
    }

    private static List<String> oldNames(String id) {
        return legacy.jdbc().queryForList("select name from jdbc_items where id = ?", String.class, id);
    }

    private static ChildApplication startChild(String... more) throws Exception {
        Map<String, String> properties = properties();
        properties.put("dual-write.repair.enabled", "false");
        properties.put("spring.main.web-application-type", "none");
        for (String property : more) {
            String[] keyValue = property.split("=", 2);
            properties.put(keyValue[0], keyValue[1]);
        }
        return ChildApplication.start(JdbcWriterApplication.class, arguments(properties));
    }

    private static Map<String, String> properties() {
        PostgresServer server = schema.server();
        RedisServer redisServer = TestServers.redis();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", schema.jdbcUrl());
        properties.put("spring.datasource.username", server.username());
        properties.put("spring.datasource.password", server.password());
        properties.put("spring.datasource.hikari.maximum-pool-size", "12");
        properties.put("spring.flyway.locations", "classpath:db/contract/jdbc");
        properties.put("spring.flyway.schemas", schema.name());
        // The old schema directly, not through the fixture's proxy: no fault but the kill.
        properties.put("legacy.datasource.jdbc-url", legacy.jdbcUrl());
        properties.put("legacy.datasource.username", server.username());
        properties.put("legacy.datasource.password", server.password());
        properties.put("legacy.datasource.pool-name", "legacy");
        properties.put("legacy.datasource.maximum-pool-size", "12");
        // The application still has a Redis connection; nothing of this class is kept there.
        properties.put("spring.data.redis.host", redisServer.host());
        properties.put("spring.data.redis.port", Integer.toString(redisServer.port()));
        properties.put("spring.data.redis.timeout", "5s");
        properties.put("spring.data.redis.repositories.enabled", "false");
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

    private static void clearStores() {
        postgres.update("delete from jdbc_items");
        postgres.update("delete from dualwrite_repair");
        legacy.clear(ITEMS);
    }

}
