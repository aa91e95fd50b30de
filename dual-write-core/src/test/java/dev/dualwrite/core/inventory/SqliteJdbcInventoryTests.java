package dev.dualwrite.core.inventory;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import dev.dualwrite.core.inventory.InventoryReport.TableInventory;
import dev.dualwrite.core.store.JdbcOldStore;
import dev.dualwrite.core.store.SqliteDialect;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import org.springframework.data.jdbc.core.dialect.JdbcDialect;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link JdbcInventory} over a SQLite file in WAL mode: a table's size is the pages of the table
 * and its indexes in {@code dbstat} when the driver's SQLite has it, and unknown otherwise; a
 * file in a rollback-journal mode, where a count would hold up the application's writers, is
 * refused. The backfill checkpoints the estimate reads are in a PostgreSQL schema of its own.
 */
class SqliteJdbcInventoryTests extends AbstractJdbcInventoryTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(SqliteJdbcInventoryTests.class);

    @TempDir
    static Path directory;

    private SQLiteDataSource dataSource;

    @Override
    protected synchronized DataSource dataSource() {
        if (this.dataSource == null) {
            this.dataSource = sqlite(directory.resolve("legacy.db"), SQLiteConfig.JournalMode.WAL);
        }
        return this.dataSource;
    }

    @Override
    protected JdbcDialect dialect() {
        return SqliteDialect.INSTANCE;
    }

    @Override
    protected DataSource checkpoints() {
        return schema.dataSource();
    }

    @Override
    protected void assertSize(TableInventory table, int indexes) {
        if (!hasDbstat()) {
            assertUnknown(table);
            return;
        }
        long page = jdbc().queryForObject("pragma page_size", Long.class);
        // A "bigint primary key" is SQLite's own unique index (sqlite_autoindex_...), counted too.
        int all = indexes;
        assertThat(table.bytes()).isNotNull().isPositive();
        assertThat(table.bytes() % page).isZero();
        assertThat(table.bytes()).isGreaterThanOrEqualTo(page * (1 + all));
        if (table.rows() == ITEMS) {
            assertThat(table.bytes()).isGreaterThanOrEqualTo(ITEMS * 100L);
        }
        assertThat(table.sizeBasis()).isEqualTo("dbstat: the pages of the table and its " + all
                + ((all == 1) ? " index" : " indexes"));
    }

    @Override
    protected void assertEmptySize(TableInventory table) {
        if (!hasDbstat()) {
            assertUnknown(table);
            return;
        }
        // A root page for the table and one for its primary key's index, however empty.
        long page = jdbc().queryForObject("pragma page_size", Long.class);
        assertThat(table.bytes()).isEqualTo(2 * page);
    }

    private boolean hasDbstat() {
        return jdbc().queryForList("pragma compile_options", String.class).contains("ENABLE_DBSTAT_VTAB");
    }

    private static void assertUnknown(TableInventory table) {
        assertThat(table.bytes()).isNull();
        assertThat(table.sizeBasis()).startsWith("unknown: this SQLite has no dbstat table");
    }

    @Test
    void theDriversSqliteIsReportedWithOrWithoutDbstat() {
        // Which branch the size assertions take: named so that a driver without dbstat shows.
        TableInventory items = inventory().take(Set.of("items"), InventorySettings.DEFAULTS, (progress) -> {
        }).repositories().get(0).tables().get(0);
        assertThat(items.bytes() != null).isEqualTo(hasDbstat());
    }

    @Test
    void aFileInARollbackJournalModeIsRefused() {
        SQLiteDataSource journal = sqlite(directory.resolve("journal.db"), SQLiteConfig.JournalMode.DELETE);
        new JdbcTemplate(journal).execute("create table inv_item (id bigint primary key, name varchar(200) not null)");
        JdbcInventory inventory = new JdbcInventory("legacy SQLite", JdbcOldStore.aggregates(journal, dialect()), journal,
                dialect(), Map.of("items", Item.class));

        assertThatIllegalStateException()
            .isThrownBy(() -> inventory.take(Set.of("items"), InventorySettings.DEFAULTS, (progress) -> {
            }))
            .withMessageContaining("legacy SQLite is in journal_mode delete")
            .withMessageContaining("pragma journal_mode=wal");
    }

    private static SQLiteDataSource sqlite(Path file, SQLiteConfig.JournalMode mode) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(mode);
        SQLiteDataSource sqlite = new SQLiteDataSource(config);
        sqlite.setUrl("jdbc:sqlite:" + file);
        return sqlite;
    }

}
