package dev.dualwrite.core.repair;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.testsupport.contract.AbstractOldStoreRepairLogContractTests;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link JdbcRepairLog} on SQLite keeps the protocol when its {@code DataSource} hands out
 * connections with auto-commit off, as a pool configured so does: SQLite rolls back what a
 * connection did not commit when it closes. What the tests check is read through connections
 * that auto-commit.
 */
class SqliteWithoutAutoCommitJdbcRepairLogContractTests extends AbstractOldStoreRepairLogContractTests {

    @TempDir
    static Path directory;

    private static DataSource plain;

    private static DataSource withoutAutoCommit;

    @BeforeAll
    static void createTables() {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setBusyTimeout(10_000);
        SQLiteDataSource sqlite = new SQLiteDataSource(config);
        sqlite.setUrl("jdbc:sqlite:" + directory.resolve("legacy.db"));
        plain = sqlite;
        withoutAutoCommit = new DelegatingDataSource(sqlite) {

            @Override
            public Connection getConnection() throws SQLException {
                Connection connection = super.getConnection();
                connection.setAutoCommit(false);
                return connection;
            }

        };
        new JdbcRepairLog(withoutAutoCommit).createTables();
    }

    @Override
    protected OldStoreRepairLog createLog(Duration interruptedWriteGrace, Duration inFlightGrace) {
        return new JdbcRepairLog(withoutAutoCommit, interruptedWriteGrace, inFlightGrace);
    }

    @Override
    protected void ageIntents(String repository, Duration age) {
        JdbcRepairLogIntents.age(plain, repository, age);
    }

    @Test
    void everyWriteIsCommittedThoughConnectionsDoNotAutoCommit() {
        JdbcTemplate other = new JdbcTemplate(plain);
        String intent = this.log.openIntent(this.repository, "k1");
        this.log.recordFailure(this.repository, "k2", Store.POSTGRES, "boom");

        assertThat(other.queryForObject("select count(*) from dualwrite_source_intent where repository = ? "
                + "and intent = ?", Long.class, this.repository, intent)).as("the intent").isEqualTo(1);
        assertThat(other.queryForObject("select count(*) from dualwrite_source_repair where repository = ? "
                + "and entity_key = 'k2'", Long.class, this.repository)).as("the record").isEqualTo(1);
    }

}
