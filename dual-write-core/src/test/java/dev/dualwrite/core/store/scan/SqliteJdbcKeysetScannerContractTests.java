package dev.dualwrite.core.store.scan;

import java.nio.file.Path;

import javax.sql.DataSource;

import dev.dualwrite.core.store.SqliteDialect;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@link JdbcKeysetScanner} over a SQLite file (the SQLite-to-PostgreSQL migration's old
 * store) keeps the scanner protocol, with numeric ids; SQLite lets a text column hold a value
 * the entity's enum does not know, the reject case.
 */
class SqliteJdbcKeysetScannerContractTests
        extends ScanItemTableContractTests<SqliteJdbcKeysetScannerContractTests.Item, Long> {

    @TempDir
    static Path directory;

    private static DataSource dataSource;

    private static JdbcTemplate jdbc;

    @BeforeAll
    static void createTable() {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setBusyTimeout(10_000);
        SQLiteDataSource sqlite = new SQLiteDataSource(config);
        sqlite.setUrl("jdbc:sqlite:" + directory.resolve("legacy.db"));
        dataSource = sqlite;
        jdbc = new JdbcTemplate(dataSource);
        jdbc.execute("create table scan_item (id integer primary key, name text not null, status text not null)");
    }

    @Override
    protected JdbcTemplate jdbc() {
        return jdbc;
    }

    @Override
    protected OldStoreScanner<Item, Long> createScanner() {
        return JdbcScanStores.scanner(Item.class, Long.class, dataSource, SqliteDialect.INSTANCE);
    }

    @Override
    protected Long id(int n) {
        return (long) n;
    }

    @Override
    protected String nameOf(Item item) {
        return item.name();
    }

    @Table("scan_item")
    record Item(@Id Long id, String name, Status status) {
    }

}
