package dev.dualwrite.core.inventory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import dev.dualwrite.core.inventory.InventoryReport.BackfillEstimate;
import dev.dualwrite.core.inventory.InventoryReport.RepositoryInventory;
import dev.dualwrite.core.inventory.InventoryReport.TableInventory;
import dev.dualwrite.core.inventory.InventorySource.ScanProgress;
import dev.dualwrite.core.inventory.InventorySource.StoreInventory;
import dev.dualwrite.core.store.JdbcOldStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.data.annotation.Id;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.data.jdbc.core.dialect.JdbcDialect;
import org.springframework.data.relational.core.mapping.Table;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * What {@link JdbcInventory} reports for an old store's tables, whatever the database: exact
 * row counts, a size where the database can say, an empty table, a missing table, only the
 * repositories asked for, and the text without the key columns that do not apply to a table.
 * A subclass names the database and says what it reports as a table's size.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractJdbcInventoryTests {

    static final int ITEMS = 200;

    static final int CRATES = 30;

    static final int TAGS = 2 * CRATES;

    private JdbcTemplate jdbc;

    private JdbcAggregateTemplate aggregates;

    /** Return the old store's database, empty of the test's tables. */
    protected abstract DataSource dataSource();

    /** Return its dialect. */
    protected abstract JdbcDialect dialect();

    /** Return a PostgreSQL schema of the test's own, for the backfill checkpoints the estimate reads. */
    protected abstract DataSource checkpoints();

    /**
     * Assert the size reported of a table with rows, and its basis.
     * @param indexes the table's indexes, its primary key's among them
     */
    protected abstract void assertSize(TableInventory table, int indexes);

    /** Assert the size reported of a table without rows. */
    protected abstract void assertEmptySize(TableInventory table);

    @BeforeAll
    void createTables() {
        this.jdbc = new JdbcTemplate(dataSource());
        this.jdbc.execute("create table inv_item (id bigint primary key, name varchar(200) not null)");
        this.jdbc.execute("create table inv_crate (id bigint primary key, label varchar(200) not null)");
        this.jdbc.execute("create index inv_crate_label on inv_crate (label)");
        // Spring Data JDBC's table of a Set<CrateTag> held by a crate: its back-reference column is
        // named after the crate's table.
        this.jdbc.execute("create table inv_crate_tag (inv_crate bigint not null, tag varchar(50) not null)");
        this.jdbc.execute("create index inv_crate_tag_crate on inv_crate_tag (inv_crate)");
        this.jdbc.execute("create table inv_empty (id bigint primary key)");
        for (int i = 1; i <= ITEMS; i++) {
            this.jdbc.update("insert into inv_item (id, name) values (?, ?)", i, "item " + i + " ".repeat(100));
        }
        for (int i = 1; i <= CRATES; i++) {
            this.jdbc.update("insert into inv_crate (id, label) values (?, ?)", i, "crate " + i);
            this.jdbc.update("insert into inv_crate_tag (inv_crate, tag) values (?, 'fragile'), (?, 'heavy')", i, i);
        }
        this.aggregates = JdbcOldStore.aggregates(dataSource(), dialect());
        JdbcTemplate checkpoints = new JdbcTemplate(checkpoints());
        // The columns the rates read, as the library's migrations create them; 1,000 rows in 10 s.
        checkpoints.execute("create table dualwrite_backfill_checkpoint (repository varchar(200) primary key,"
                + " run_id varchar(64) not null, state varchar(16) not null, mode varchar(16) not null,"
                + " rows_read bigint not null, started_at timestamptz not null, updated_at timestamptz not null,"
                + " finished_at timestamptz)");
        checkpoints.execute("create table dualwrite_ledger (id bigserial primary key, at timestamptz not null default"
                + " clock_timestamp(), repository varchar(200) not null, action varchar(32) not null,"
                + " actor varchar(200) not null, details text)");
        checkpoints.update("insert into dualwrite_backfill_checkpoint values ('items', 'run-1', 'COMPLETED',"
                + " 'COPY_MISSING', 1000, now() - interval '10 seconds', now(), now())");
        checkpoints.update("insert into dualwrite_ledger (repository, action, actor, details)"
                + " values ('items', 'BACKFILL_STARTED', 'ops', 'run run-1, from the start')");
    }

    @AfterAll
    void dropTables() {
        for (String table : List.of("inv_item", "inv_crate", "inv_crate_tag", "inv_empty")) {
            this.jdbc.execute("drop table if exists " + table);
        }
    }

    @Test
    void countsTheRowsAndReadsTheSizeOfEachRepositorysTable() {
        List<ScanProgress> progress = new ArrayList<>();

        StoreInventory store = inventory().take(Set.of("items", "crates"), InventorySettings.DEFAULTS,
                progress::add);

        assertThat(store.repositories()).extracting(RepositoryInventory::repository).containsExactly("items", "crates");
        RepositoryInventory items = store.repositories().get(0);
        assertThat(items.entities()).isEqualTo(ITEMS);
        assertThat(items.entitiesBasis()).isEqualTo("count(*) of inv_item");
        assertThat(items.shape()).isEqualTo("rows of table inv_item (Item), Spring Data JDBC");
        assertThat(items.parts()).isEmpty();
        assertThat(items.tables()).singleElement().satisfies((table) -> {
            assertThat(table.table()).isEqualTo("inv_item");
            assertThat(table.rows()).isEqualTo(ITEMS);
            assertSize(table, 1);
        });
        // The aggregate's tables: the crates', then that of the tags each crate holds. Its
        // entities, which the backfill copies, are the crates.
        RepositoryInventory crates = store.repositories().get(1);
        assertThat(crates.entities()).isEqualTo(CRATES);
        assertThat(crates.entitiesBasis()).isEqualTo("count(*) of inv_crate");
        assertThat(crates.tables()).extracting(TableInventory::table).containsExactly("inv_crate", "inv_crate_tag");
        assertThat(crates.tables().get(0)).satisfies((table) -> {
            assertThat(table.rows()).isEqualTo(CRATES);
            assertSize(table, 2);
        });
        assertThat(crates.tables().get(1)).satisfies((table) -> {
            assertThat(table.rows()).isEqualTo(TAGS);
            assertSize(table, 1);
        });
        // A database is counted, not scanned by key: no glob, no masters, no keys of no repository.
        assertThat(store.store().store()).isEqualTo(description());
        assertThat(store.store().match()).isNull();
        assertThat(store.store().unmatched()).isNull();
        assertThat(store.store().masters()).isZero();
        assertThat(store.store().scanned()).isEqualTo(ITEMS + CRATES + TAGS);
        assertThat(progress).extracting(ScanProgress::scanned)
            .containsExactly((long) ITEMS, (long) ITEMS + CRATES, (long) ITEMS + CRATES + TAGS);
        assertThat(progress).extracting(ScanProgress::fraction).containsExactly(1.0 / 3, 2.0 / 3, 1.0);
    }

    @Test
    void anEmptyTableHasNoRows() {
        StoreInventory store = inventory().take(Set.of("empties"), InventorySettings.DEFAULTS, (progress) -> {
        });

        RepositoryInventory empties = store.repositories().get(0);
        assertThat(empties.entities()).isZero();
        assertThat(empties.tables()).singleElement().satisfies((table) -> {
            assertThat(table.rows()).isZero();
            assertEmptySize(table);
        });
    }

    @Test
    void aMissingTableFailsTheInventoryNamingIt() {
        assertThatIllegalStateException()
            .isThrownBy(() -> inventory().take(Set.of("items", "missing"), InventorySettings.DEFAULTS, (progress) -> {
            }))
            .withMessageContaining("Repository 'missing'")
            .withMessageContaining("inv_missing")
            .withMessageContaining("does not exist in " + description());
    }

    @Test
    void onlyTheRepositoriesAskedForAreCounted() {
        // The missing table's repository is not asked for, so nothing touches it.
        StoreInventory store = inventory().take(Set.of("crates"), InventorySettings.DEFAULTS, (progress) -> {
        });
        assertThat(store.repositories()).extracting(RepositoryInventory::repository).containsExactly("crates");
        assertThat(store.store().scanned()).isEqualTo(CRATES + TAGS);

        InventoryReport report = new Inventory(() -> List.of(inventory()), BackfillRates.NONE,
                InventorySettings.DEFAULTS)
            .take(List.of("empties", "crates"));
        assertThat(report.repositories()).extracting(RepositoryInventory::repository)
            .containsExactly("empties", "crates");
    }

    @Test
    void theTextShowsRowsSizesAndTheBackfillEstimateButNoKeyColumns() {
        InventoryReport report = new Inventory(() -> List.of(inventory()),
                new CheckpointBackfillRates(new JdbcTemplate(checkpoints())), InventorySettings.DEFAULTS)
            .take(List.of("items", "empties"));

        BackfillEstimate estimate = report.repositories().get(0).backfill();
        assertThat(estimate.rows()).isEqualTo(ITEMS);
        assertThat(estimate.rowsPerSecond()).isEqualTo(100.0);
        assertThat(report.repositories().get(1).backfill().basis()).isEqualTo(BackfillEstimate.NOT_MEASURED);
        String text = report.toText();
        assertThat(text).contains("repository 'items': rows of table inv_item (Item), Spring Data JDBC in "
                + description())
            .containsPattern("table\\s+rows\\s+size\\s+size basis")
            .containsPattern("inv_item\\s+200\\s")
            .contains("backfill: 200 entities; about 2.0 s at 100 rows/s")
            .containsPattern("inv_empty\\s+0\\s")
            .contains("backfill: 0 entities; no backfill measured yet")
            .contains("store " + description() + ": 200 rows counted")
            .contains("key types, expiry and memory: not applicable")
            .doesNotContain("ttl")
            .doesNotContain("MEMORY USAGE")
            .doesNotContain("keys of no repository");
    }

    protected String description() {
        return "old store " + getClass().getSimpleName();
    }

    protected JdbcInventory inventory() {
        Map<String, Class<?>> repositories = new LinkedHashMap<>();
        repositories.put("items", Item.class);
        repositories.put("crates", Crate.class);
        repositories.put("empties", Empty.class);
        repositories.put("missing", Missing.class);
        return new JdbcInventory(description(), this.aggregates, dataSource(), dialect(), repositories);
    }

    protected JdbcTemplate jdbc() {
        return this.jdbc;
    }

    @Table("inv_item")
    record Item(@Id Long id, String name) {
    }

    @Table("inv_crate")
    record Crate(@Id Long id, String label, Set<CrateTag> tags) {
    }

    @Table("inv_crate_tag")
    record CrateTag(String tag) {
    }

    @Table("inv_empty")
    record Empty(@Id Long id) {
    }

    @Table("inv_missing")
    record Missing(@Id Long id) {
    }

}
