package dev.dualwrite.core.repair;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.testsupport.TestSchema;
import dev.dualwrite.testsupport.contract.AbstractOldStoreRepairLogContractTests;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link JdbcRepairLog} on PostgreSQL (an old schema of the new store's server) keeps the old
 * store's repair-log protocol, in a schema of its own that is dropped after the class, and
 * takes its row locks in the order promotion takes them.
 */
class PostgresJdbcRepairLogContractTests extends AbstractOldStoreRepairLogContractTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(PostgresJdbcRepairLogContractTests.class);

    @BeforeAll
    static void createTables() {
        JdbcRepairLog log = new JdbcRepairLog(schema.dataSource());
        log.createTables();
        // Idempotent: every start of every instance calls it.
        log.createTables();
    }

    @Override
    protected OldStoreRepairLog createLog(Duration interruptedWriteGrace, Duration inFlightGrace) {
        return new JdbcRepairLog(schema.dataSource(), interruptedWriteGrace, inFlightGrace);
    }

    @Override
    protected void ageIntents(String repository, Duration age) {
        JdbcRepairLogIntents.age(schema.dataSource(), repository, age);
    }

    @Test
    void recordAndCloseIntentLocksTheIntentBeforeTheRecord() throws Exception {
        // Promotion locks intents, then records: recordAndCloseIntent taking them the other way
        // round deadlocks with it. A holder of the intent's row stands for the promoter.
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom");
        String intent = this.log.openIntent(this.repository, "k1");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (Connection holder = schema.dataSource().getConnection()) {
            holder.setAutoCommit(false);
            int holderPid = queryInt(holder, "select pg_backend_pid()");
            try (PreparedStatement lock = holder.prepareStatement(
                    "select 1 from dualwrite_source_intent where repository = ? and intent = ? for update")) {
                lock.setString(1, this.repository);
                lock.setString(2, intent);
                lock.executeQuery().close();
            }

            Future<?> closing = executor.submit(
                    () -> this.log.recordAndCloseIntent(this.repository, intent, "k1", "copy may be overtaken"));
            JdbcTemplate jdbc = new JdbcTemplate(schema.dataSource());
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> jdbc.queryForObject(
                    "select count(*) from pg_stat_activity where ? = any(pg_blocking_pids(pid))", Long.class,
                    holderPid) > 0);

            // While it waits for the intent, the record is free: nowait fails on a row lock.
            assertThat(jdbc.queryForList("select entity_key from dualwrite_source_repair where repository = ? "
                    + "and entity_key = 'k1' for update nowait", String.class, this.repository))
                .as("the record, not locked by the waiting call")
                .containsExactly("k1");

            holder.rollback();
            closing.get(30, TimeUnit.SECONDS);
        }
        finally {
            executor.shutdownNow();
        }
        assertThat(this.log.pending(this.repository, 10)).singleElement()
            .satisfies((record) -> assertThat(record.attempts()).isEqualTo(2));
        ageIntents(this.repository, GRACE.multipliedBy(2));
        assertThat(this.log.recordInterruptedWrites(this.repository)).as("the intent is gone").isZero();
    }

    @Test
    void createTablesOnTablesThatExistWaitsForNoWriter() throws Exception {
        // An instance starting while another writes: CREATE INDEX IF NOT EXISTS would take a
        // SHARE lock on the table, which waits for the writer's ROW EXCLUSIVE.
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (Connection writer = schema.dataSource().getConnection()) {
            writer.setAutoCommit(false);
            try (PreparedStatement write = writer.prepareStatement("insert into dualwrite_source_intent "
                    + "(repository, intent, entity_key, opened_at_ms) values (?, 'i1', 'k1', 0)")) {
                write.setString(1, this.repository);
                write.executeUpdate();
            }
            writer.createStatement().execute("lock table dualwrite_source_repair in row exclusive mode");

            Future<?> creating = executor.submit(() -> new JdbcRepairLog(schema.dataSource()).createTables());

            creating.get(5, TimeUnit.SECONDS);
            writer.rollback();
        }
        finally {
            executor.shutdownNow();
        }
    }

    @Test
    void theCatalogueLookupOfCreateTablesFindsTheTablesAndIndexesOfTheCurrentSchemaOnly() {
        String query = JdbcRepairLogDialect.of("PostgreSQL", "17")
            .countExisting(List.of("dualwrite_source_repair", "dualwrite_source_repair_first",
                    "dualwrite_source_intent", "dualwrite_source_intent_age", "dualwrite_source_missing"));

        assertThat(new JdbcTemplate(schema.dataSource()).queryForObject(query, Long.class)).isEqualTo(4);
        // From a schema without them, the tables of this test class's schema are not found.
        try (TestSchema empty = TestSchema.create(schema.server(), "empty_repair_log")) {
            assertThat(new JdbcTemplate(empty.dataSource()).queryForObject(query, Long.class)).isZero();
        }
    }

    private static int queryInt(Connection connection, String query) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(query);
                ResultSet result = statement.executeQuery()) {
            result.next();
            return result.getInt(1);
        }
    }

}
