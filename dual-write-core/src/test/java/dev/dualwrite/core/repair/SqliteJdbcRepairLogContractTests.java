package dev.dualwrite.core.repair;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import dev.dualwrite.testsupport.contract.AbstractOldStoreRepairLogContractTests;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link JdbcRepairLog} on SQLite (the SQLite-to-PostgreSQL migration's old store) keeps the
 * old store's repair-log protocol, in a database file of the class's own temporary directory.
 */
class SqliteJdbcRepairLogContractTests extends AbstractOldStoreRepairLogContractTests {

    @TempDir
    static Path directory;

    private static DataSource dataSource;

    @BeforeAll
    static void createTables() {
        // WAL lets readers run beside the one writer; the busy timeout makes concurrent writers
        // (the contract's concurrent claimers) wait for the write lock instead of failing.
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setBusyTimeout(10_000);
        SQLiteDataSource sqlite = new SQLiteDataSource(config);
        sqlite.setUrl("jdbc:sqlite:" + directory.resolve("legacy.db"));
        dataSource = sqlite;
        JdbcRepairLog log = new JdbcRepairLog(dataSource);
        log.createTables();
        log.createTables();
    }

    @Override
    protected OldStoreRepairLog createLog(Duration interruptedWriteGrace, Duration inFlightGrace) {
        return new JdbcRepairLog(dataSource, interruptedWriteGrace, inFlightGrace);
    }

    @Override
    protected void ageIntents(String repository, Duration age) {
        JdbcRepairLogIntents.age(dataSource, repository, age);
    }

    @Test
    void theCatalogueLookupOfCreateTablesFindsTheTablesAndIndexes() {
        // createTables runs no DDL when this finds all four.
        String query = JdbcRepairLogDialect.of("SQLite", "3.42.0")
            .countExisting(List.of("dualwrite_source_repair", "dualwrite_source_repair_first",
                    "dualwrite_source_intent", "dualwrite_source_intent_age", "dualwrite_source_missing"));

        assertThat(new JdbcTemplate(dataSource).queryForObject(query, Long.class)).isEqualTo(4);
    }

}
