package dev.dualwrite.core.store;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.testsupport.TestSchema;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.jdbc.repository.config.AbstractJdbcConfiguration;
import org.springframework.data.relational.core.mapping.RelationalMappingContext;
import org.springframework.data.relational.core.mapping.event.BeforeConvertCallback;
import org.springframework.data.relational.core.mapping.Table;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * {@link PostgresSide#upsert} and {@link PostgresSide#upsertInKeyLock} against a real
 * PostgreSQL, through a Spring Data JDBC set-up of the application's kind: the statement
 * rendered once from the mapping writes what Spring Data JDBC reads back, and the lock, the
 * key's record and the row go together, the row written only once the lock is held and in the
 * record's transaction; an entity the statement does not cover (a version) is written by
 * Spring Data JDBC under the same lock.
 */
class PostgresSideUpsertTests {

    private static TestSchema schema;

    private static AnnotationConfigApplicationContext context;

    private static JdbcTemplate jdbc;

    // Advisory locks are per database, not per schema: a repository name of this test's own.
    private static String repository;

    private static PostgresRepairLog log;

    private static PostgresSide<Gauge, String> gauges;

    private static PostgresSide<VersionedGauge, String> versionedGauges;

    private static PostgresSide<Gauge, String> gaugesWithCallbacks;

    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @BeforeAll
    static void createTables() {
        schema = TestSchema.create(PostgresSideUpsertTests.class);
        repository = schema.name();
        new ResourceDatabasePopulator(new ClassPathResource("db/dualwrite/V1__repair_records.sql"),
                new ClassPathResource("db/dualwrite/V3__repair_claims.sql"))
            .execute(schema.dataSource());
        jdbc = new JdbcTemplate(schema.dataSource());
        jdbc.execute("create table gauges (id text primary key, label text not null, read_at timestamp with time zone, "
                + "reading bigint)");
        jdbc.execute("create table versioned_gauges (id text primary key, label text not null, version bigint)");
        context = new AnnotationConfigApplicationContext();
        context.registerBean(TestSchema.class, () -> schema);
        context.register(JdbcSetUp.class);
        context.refresh();
        JdbcAggregateOperations aggregates = context.getBean(JdbcAggregateOperations.class);
        RelationalMappingContext mapping = context.getBean(RelationalMappingContext.class);
        TransactionTemplate transactions = new TransactionTemplate(
                new DataSourceTransactionManager(schema.dataSource()));
        log = new PostgresRepairLog(jdbc);
        gauges = new PostgresSide<>(repository, Gauge.class, aggregates, mapping, jdbc, transactions);
        versionedGauges = new PostgresSide<>(repository, VersionedGauge.class, aggregates, mapping, jdbc,
                transactions);
        gaugesWithCallbacks = new PostgresSide<>(repository, Gauge.class, aggregates, mapping, jdbc, transactions,
                true, null);
    }

    @AfterAll
    static void dropSchema() {
        context.close();
        schema.close();
    }

    @BeforeEach
    void noRows() {
        jdbc.update("delete from gauges");
        jdbc.update("delete from versioned_gauges");
        jdbc.update("delete from dualwrite_repair");
    }

    @AfterEach
    void stopExecutor() {
        this.executor.shutdownNow();
    }

    @Test
    void upsertInsertsAMissingRowAndUpdatesAPresentOneAsSpringDataJdbcReadsThem() {
        Instant readAt = Instant.parse("2026-12-03T10:15:30.123456Z");
        Gauge first = new Gauge("g1", "boiler", readAt, 41L);
        Gauge second = new Gauge("g1", "boiler room", null, null);

        gauges.inKeyLock("g1", () -> gauges.upsert(first));
        assertThat(gauges.load("g1")).contains(first);
        gauges.inKeyLock("g1", () -> gauges.upsert(second));

        assertThat(gauges.load("g1")).as("every column written, nulls included").contains(second);
        assertThat(jdbc.queryForObject("select count(*) from gauges", Long.class)).isOne();
    }

    @Test
    void upsertInKeyLockWritesTheRowAndOpensTheRecordOnlyOnceItHoldsTheLock() throws Exception {
        Gauge written = new Gauge("g2", "cellar", Instant.now().truncatedTo(ChronoUnit.MICROS), 7L);
        try (Connection holder = schema.dataSource().getConnection()) {
            holder.setAutoCommit(false);
            lock(holder, "g2");

            CompletableFuture<Gauge> writing = CompletableFuture.supplyAsync(() -> gauges.upsertInKeyLock("g2",
                    log.lockAndOpenStatement(repository, "g2", Store.REDIS, PostgresRepairLog.ROLLBACK_REASON), written),
                    this.executor);
            awaitWaitingForTheLock("g2");

            // The holder writes the key and removes its record while the writer waits: the
            // writer's row and record must come after both, not be lost against them.
            holder.createStatement()
                .executeUpdate("insert into gauges (id, label) values ('g2', 'holder') on conflict do nothing");
            log.open(repository, "g2", Store.REDIS);
            holder.createStatement().executeUpdate("delete from dualwrite_repair where entity_key = 'g2'");
            assertThat(gauges.load("g2")).as("nothing written before the lock is granted").isEmpty();
            holder.commit();

            assertThat(writing.get(30, TimeUnit.SECONDS)).isEqualTo(written);
        }
        assertThat(gauges.load("g2")).as("the writer's row, written after the holder's").contains(written);
        assertThat(log.isOpen(repository, "g2", Store.REDIS)).as("the writer's record").isTrue();
        assertThat(lockHeldElsewhere("g2")).as("released with the writer's transaction").isFalse();
    }

    @Test
    void upsertInKeyLockThatFailsLeavesNeitherTheRowNorTheRecord() {
        Gauge unlabelled = new Gauge("g3", null, null, null);

        assertThatException().isThrownBy(() -> gauges.upsertInKeyLock("g3",
                log.lockAndOpenStatement(repository, "g3", Store.REDIS, PostgresRepairLog.PENDING_REASON),
                unlabelled));

        assertThat(gauges.load("g3")).isEmpty();
        assertThat(log.isOpen(repository, "g3", Store.REDIS)).as("the record rolled back with the row").isFalse();
        assertThat(lockHeldElsewhere("g3")).isFalse();
    }

    @Test
    void upsertInKeyLockLeavesAVersionedEntityToSpringDataJdbcUnderTheSameLock() {
        versionedGauges.upsertInKeyLock("v1",
                log.lockAndOpenStatement(repository, "v1", Store.REDIS, PostgresRepairLog.PENDING_REASON),
                new VersionedGauge("v1", "attic", null));
        VersionedGauge inserted = versionedGauges.load("v1").orElseThrow();
        versionedGauges.upsertInKeyLock("v1",
                log.lockAndOpenStatement(repository, "v1", Store.REDIS, PostgresRepairLog.PENDING_REASON),
                new VersionedGauge("v1", "loft", inserted.version()));

        VersionedGauge updated = versionedGauges.load("v1").orElseThrow();
        assertThat(updated.label()).isEqualTo("loft");
        assertThat(updated.version()).as("Spring Data JDBC's version check and increment").isGreaterThan(
                inserted.version());
        assertThat(log.isOpen(repository, "v1", Store.REDIS)).isTrue();
    }

    @Test
    void rowsOfAnApplicationWithEntityCallbacksAreWrittenBySpringDataJdbcWhichRunsThem() {
        Gauge porch = new Gauge("c1", "porch", null, null);

        gaugesWithCallbacks.upsertInKeyLock("c1",
                log.lockAndOpenStatement(repository, "c1", Store.REDIS, PostgresRepairLog.PENDING_REASON), porch);
        assertThat(gauges.load("c1")).map(Gauge::label).as("written by Spring Data JDBC").contains("porch (checked)");
        assertThat(log.isOpen(repository, "c1", Store.REDIS)).as("the record, under the same lock").isTrue();
        gaugesWithCallbacks.inKeyLock("c1", () -> gaugesWithCallbacks.upsert(porch));
        assertThat(gauges.load("c1")).map(Gauge::label).contains("porch (checked)");

        gauges.inKeyLock("c1", () -> gauges.upsert(porch));
        assertThat(gauges.load("c1")).map(Gauge::label).as("written by the library's own statement").contains("porch");
    }

    private static void lock(Connection connection, String key) throws Exception {
        try (var statement = connection.prepareStatement("select " + PostgresSide.LOCK_EXPRESSION)) {
            statement.setString(1, gauges.lockName(key));
            statement.executeQuery().close();
        }
    }

    // Tried from another connection: held by a transaction, the lock is refused.
    private static boolean lockHeldElsewhere(String key) {
        Boolean taken = jdbc.queryForObject("select pg_try_advisory_xact_lock(hashtextextended(?, 0))", Boolean.class,
                gauges.lockName(key));
        return !Boolean.TRUE.equals(taken);
    }

    // A session waiting for the key's lock (a bigint lock: classid holds its high 32 bits,
    // objid its low ones); the lock name is this test's own.
    private static void awaitWaitingForTheLock(String key) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> jdbc.queryForObject(
                "select count(*) from pg_locks where locktype = 'advisory' and not granted and objsubid = 1 "
                        + "and database = (select oid from pg_database where datname = current_database()) "
                        + "and ((classid::bigint << 32) | objid::bigint) = hashtextextended(?, 0)",
                Long.class, gauges.lockName(key)) > 0);
    }

    @Table("gauges")
    record Gauge(@Id String id, @Nullable String label, @Nullable Instant readAt, @Nullable Long reading) {
    }

    @Table("versioned_gauges")
    record VersionedGauge(@Id String id, String label, @Version @Nullable Long version) {
    }

    @Configuration(proxyBeanMethods = false)
    static class JdbcSetUp extends AbstractJdbcConfiguration {

        @Bean
        NamedParameterJdbcOperations namedParameterJdbcOperations(TestSchema schema) {
            return new NamedParameterJdbcTemplate(schema.dataSource());
        }

        // An application's callback: Spring Data JDBC runs it on its own writes of a gauge.
        @Bean
        BeforeConvertCallback<Gauge> checkedLabels() {
            return (gauge) -> new Gauge(gauge.id(), gauge.label() + " (checked)", gauge.readAt(), gauge.reading());
        }

    }

}
