package dev.dualwrite.core.repair;

import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.dualwrite.core.store.PostgresSide;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link PostgresRepairLog#lockAndOpen} and {@link PostgresRepairLog#lockAndClose} take the
 * key's advisory lock (the one {@link PostgresSide#LOCK_EXPRESSION} takes) before they look at
 * the key's record, against a real PostgreSQL: a record that the lock's holder removes while
 * they wait is not taken for one that stays.
 */
class PostgresRepairLogLockingTests {

    // Advisory locks are per database, not per schema: a name of this test's own.
    private static String repository;

    private static TestSchema schema;

    private static JdbcTemplate jdbc;

    private static TransactionTemplate transactions;

    private static PostgresRepairLog log;

    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @BeforeAll
    static void createRepairTable() {
        schema = TestSchema.create(PostgresRepairLogLockingTests.class);
        repository = schema.name();
        new ResourceDatabasePopulator(new ClassPathResource("db/dualwrite/V1__repair_records.sql"),
                new ClassPathResource("db/dualwrite/V3__repair_claims.sql"))
            .execute(schema.dataSource());
        jdbc = new JdbcTemplate(schema.dataSource());
        transactions = new TransactionTemplate(new DataSourceTransactionManager(schema.dataSource()));
        log = new PostgresRepairLog(jdbc);
    }

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @AfterEach
    void stopExecutor() {
        this.executor.shutdownNow();
    }

    @BeforeEach
    void noRecords() {
        jdbc.update("delete from dualwrite_repair");
    }

    @Test
    void lockAndOpenLooksForTheRecordOnlyOnceItHoldsTheLock() throws Exception {
        log.open(repository, "k1", Store.REDIS);
        try (Connection holder = schema.dataSource().getConnection()) {
            holder.setAutoCommit(false);
            lock(holder, "k1");

            CompletableFuture<Void> opening = CompletableFuture.runAsync(() -> transactions.executeWithoutResult(
                    (status) -> log.lockAndOpen(lockName("k1"), repository, "k1", Store.REDIS,
                            PostgresRepairLog.PENDING_REASON)),
                    this.executor);
            awaitWaitingForTheLock();

            // The holder copies the key and closes its record while the writer waits.
            holder.createStatement().executeUpdate("delete from dualwrite_repair where entity_key = 'k1'");
            holder.commit();
            opening.get(30, TimeUnit.SECONDS);
        }

        assertThat(log.isOpen(repository, "k1", Store.REDIS))
            .as("the writer's record: the one it found before the lock was gone when it committed")
            .isTrue();
    }

    @Test
    void lockAndCloseHoldsTheKeysLockAndRemovesTheRecordWithItsTransaction() {
        log.open(repository, "k2", Store.REDIS);
        transactions.executeWithoutResult((status) -> {
            log.lockAndClose(lockName("k2"), repository, "k2", Store.REDIS);
            // A writer of the key arriving now waits for this copy's transaction to end.
            assertThat(lockHeldElsewhere("k2")).as("the key's lock, seen from another connection").isTrue();
            assertThat(recordCountElsewhere("k2")).as("the removal is not committed yet").isEqualTo(1);
        });
        assertThat(lockHeldElsewhere("k2")).as("released with the transaction").isFalse();
        assertThat(log.isOpen(repository, "k2", Store.REDIS)).as("removed with the transaction's commit").isFalse();
    }

    private static void lock(Connection connection, String key) throws Exception {
        try (var statement = connection.prepareStatement("select " + PostgresSide.LOCK_EXPRESSION)) {
            statement.setString(1, lockName(key));
            statement.executeQuery().close();
        }
    }

    // Tried from another connection: held by the caller's transaction, the lock is refused.
    private static boolean lockHeldElsewhere(String key) {
        try (Connection other = schema.dataSource().getConnection();
                var statement = other.prepareStatement("select pg_try_advisory_lock(hashtextextended(?, 0))")) {
            statement.setString(1, lockName(key));
            try (var result = statement.executeQuery()) {
                result.next();
                boolean taken = result.getBoolean(1);
                if (taken) {
                    other.createStatement().execute("select pg_advisory_unlock_all()");
                }
                return !taken;
            }
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static long recordCountElsewhere(String key) {
        try (Connection other = schema.dataSource().getConnection();
                var statement = other.prepareStatement("select count(*) from dualwrite_repair where entity_key = ?")) {
            statement.setString(1, key);
            try (var result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void awaitWaitingForTheLock() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> jdbc.queryForObject(
                "select count(*) from pg_locks l join pg_stat_activity a on a.pid = l.pid "
                        + "where l.locktype = 'advisory' and not l.granted and a.query like '%dualwrite_repair%' "
                        + "and a.datname = current_database() and a.query like '%from locked%'",
                Long.class) > 0);
    }

    private static String lockName(String key) {
        return repository + ":" + key;
    }

}
