package dev.dualwrite.core.repair;

import java.time.Duration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.testsupport.TestSchema;
import dev.dualwrite.testsupport.contract.AbstractOldStoreRepairLogContractTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link JdbcRepairLog} on PostgreSQL keeps the protocol on a pool tuned as applications tune
 * theirs: Hikari with {@code auto-commit: false}, whose connections roll back whatever is not
 * committed when they return to the pool, and pgjdbc's {@code reWriteBatchedInserts=true},
 * which turns a batch of upserts into one multi-row statement. What the tests check is read
 * through a second pool that auto-commits: other connections than the log's.
 */
class PostgresTunedPoolJdbcRepairLogContractTests extends AbstractOldStoreRepairLogContractTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(PostgresTunedPoolJdbcRepairLogContractTests.class);

    private static HikariDataSource tuned;

    @BeforeAll
    static void createPoolAndTables() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(schema.jdbcUrl() + "&reWriteBatchedInserts=true");
        config.setUsername(schema.server().username());
        config.setPassword(schema.server().password());
        config.setAutoCommit(false);
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(0);
        config.setPoolName("test-tuned-repair-log");
        tuned = new HikariDataSource(config);
        new JdbcRepairLog(tuned).createTables();
    }

    // Before the schema is dropped (extensions' afterAll runs after @AfterAll methods).
    @AfterAll
    static void closePool() {
        tuned.close();
    }

    @Override
    protected OldStoreRepairLog createLog(Duration interruptedWriteGrace, Duration inFlightGrace) {
        return new JdbcRepairLog(tuned, interruptedWriteGrace, inFlightGrace);
    }

    @Override
    protected void ageIntents(String repository, Duration age) {
        JdbcRepairLogIntents.age(schema.dataSource(), repository, age);
    }

    @Test
    void everyWriteIsCommittedThoughThePoolDoesNotAutoCommit() {
        JdbcTemplate other = new JdbcTemplate(schema.dataSource());
        String intent = this.log.openIntent(this.repository, "k1");
        this.log.recordFailure(this.repository, "k2", Store.POSTGRES, "boom");

        assertThat(other.queryForObject("select count(*) from dualwrite_source_intent where repository = ? "
                + "and intent = ?", Long.class, this.repository, intent)).as("the intent").isEqualTo(1);
        assertThat(other.queryForObject("select count(*) from dualwrite_source_repair where repository = ? "
                + "and entity_key = 'k2'", Long.class, this.repository)).as("the record").isEqualTo(1);

        this.log.claim(this.repository, "a", 10, Duration.ofHours(1), Duration.ZERO);
        assertThat(other.queryForObject("select claimed_by from dualwrite_source_repair where repository = ? "
                + "and entity_key = 'k2'", String.class, this.repository)).as("the claim").isEqualTo("a");

        this.log.closeIntent(this.repository, intent);
        assertThat(other.queryForObject("select count(*) from dualwrite_source_intent where repository = ?",
                Long.class, this.repository)).as("the intent closed").isZero();
    }

    @Test
    void writesCommitOnTheirOwnInsideACallersTransactionThatRollsBack() {
        JdbcTemplate other = new JdbcTemplate(schema.dataSource());
        TransactionTemplate caller = new TransactionTemplate(new DataSourceTransactionManager(tuned));
        String intent = caller.execute((status) -> {
            // A read first: the log must not leave a connection bound to the caller's
            // transaction that its own transactions then trip over.
            assertThat(this.log.isOpen(this.repository, "k1")).isFalse();
            String opened = this.log.openIntent(this.repository, "k1");
            this.log.recordFailure(this.repository, "k2", Store.POSTGRES, "boom");
            assertThat(this.log.backlog(this.repository, Duration.ZERO)).isEqualTo(2);
            status.setRollbackOnly();
            return opened;
        });

        assertThat(other.queryForObject("select count(*) from dualwrite_source_intent where repository = ? "
                + "and intent = ?", Long.class, this.repository, intent)).as("the intent").isEqualTo(1);
        assertThat(this.log.isOpen(this.repository, "k2")).as("the record").isTrue();
    }

}
