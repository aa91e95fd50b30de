package dev.dualwrite.core.store.scan;

import java.nio.file.Path;
import java.util.List;

import javax.sql.DataSource;

import dev.dualwrite.core.store.SqliteDialect;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import org.springframework.dao.DataAccessException;
import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * What the scanner contract leaves to {@link JdbcKeysetScanner}: the text of its positions,
 * the row a reject keeps, keys that are not the text of an id, and a broken store that is
 * thrown rather than set aside.
 */
class JdbcKeysetScannerTests {

    @TempDir
    static Path directory;

    private static DataSource dataSource;

    private static JdbcTemplate jdbc;

    private JdbcKeysetScanner<Item, Long> scanner;

    @BeforeAll
    static void createTable() {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        SQLiteDataSource sqlite = new SQLiteDataSource(config);
        sqlite.setUrl("jdbc:sqlite:" + directory.resolve("legacy.db"));
        dataSource = sqlite;
        jdbc = new JdbcTemplate(dataSource);
        jdbc.execute("create table keyset_item (id integer primary key, name text not null, status text not null)");
    }

    @BeforeEach
    void fiveItems() {
        jdbc.update("delete from keyset_item");
        for (int id = 1; id <= 5; id++) {
            jdbc.update("insert into keyset_item (id, name, status) values (?, ?, 'ACTIVE')", id, "item " + id);
        }
        this.scanner = JdbcScanStores.scanner(Item.class, Long.class, dataSource, SqliteDialect.INSTANCE);
    }

    @Test
    void positionsNameTheRowsPassedAndTheLastKey() {
        ScanSettings twoAtATime = ScanSettings.DEFAULTS.withBatchSize(2);
        assertThat(this.scanner.initialPosition().text()).isEqualTo("keyset:start");

        SourceBatch<Item, Long> first = this.scanner.nextPage(this.scanner.initialPosition(), twoAtATime);
        assertThat(first.position().text()).isEqualTo("keyset:2:2");
        assertThat(first.fraction()).isEqualTo(0.4);
        SourceBatch<Item, Long> second = this.scanner.nextPage(first.position(), twoAtATime);
        assertThat(second.position().text()).isEqualTo("keyset:4:4");
        SourceBatch<Item, Long> last = this.scanner.nextPage(second.position(), twoAtATime);
        assertThat(last.complete()).isTrue();
        assertThat(last.position().text()).isEqualTo("keyset:done:5");
        SourceBatch<Item, Long> again = this.scanner.nextPage(last.position(), twoAtATime);
        assertThat(again.entries()).isEmpty();
        assertThat(again.complete()).isTrue();
    }

    @Test
    void onlyKeysetTextsParse() {
        assertThat(this.scanner.parsePosition("")).isEqualTo(this.scanner.initialPosition());
        assertThat(this.scanner.parsePosition("keyset:2:2").text()).isEqualTo("keyset:2:2");
        assertThatIllegalArgumentException().isThrownBy(() -> this.scanner.parsePosition("a=done,b=12"));
        assertThatIllegalArgumentException().isThrownBy(() -> this.scanner.parsePosition("keyset:x:2"));
        assertThatIllegalArgumentException().isThrownBy(() -> this.scanner.parsePosition("keyset:-1:2"));
        assertThatIllegalArgumentException().isThrownBy(() -> this.scanner.parsePosition("keyset:done:many"));
        // A key of another id type: the checkpoint of another repository.
        assertThatIllegalArgumentException().isThrownBy(() -> this.scanner.parsePosition("keyset:3:item:3"));
    }

    @Test
    void aRejectKeepsTheRowsColumnsButNotItsValuesInTheProblem() {
        jdbc.update("update keyset_item set status = 'SECRET_STATUS' where id = 3");

        List<ScannedEntry<Item, Long>> entries = this.scanner.nextPage(this.scanner.initialPosition(),
                ScanSettings.DEFAULTS).entries();

        assertThat(entries).extracting(ScannedEntry::redisKey).containsExactly("1", "2", "3", "4", "5");
        assertThat(entries.get(2)).satisfies((reject) -> {
            assertThat(reject.isReject()).isTrue();
            assertThat(reject.id()).isEqualTo(3L);
            assertThat(reject.problem()).contains(Item.class.getName()).doesNotContain("SECRET_STATUS");
            assertThat(reject.rawValue()).contains("id=3", "name=item 3", "status=SECRET_STATUS");
        });
    }

    @Test
    void aKeyThatIsNotTheTextOfAnIdNamesNoRow() {
        assertThat(this.scanner.read(List.of("007", "x", "2"), ScanSettings.DEFAULTS))
            .extracting(ScannedEntry::redisKey)
            .containsExactly("2");
        assertThat(this.scanner.existing(List.of("007", "x", "2"), ScanSettings.DEFAULTS)).containsExactly("2");
    }

    @Test
    void aBrokenStoreIsThrownNotSetAside() {
        JdbcKeysetScanner<Missing, Long> missing = JdbcScanStores.scanner(Missing.class, Long.class, dataSource,
                SqliteDialect.INSTANCE);

        assertThatExceptionOfType(DataAccessException.class)
            .isThrownBy(() -> missing.nextPage(missing.initialPosition(), ScanSettings.DEFAULTS));
    }

    @Test
    void aMissingColumnIsThrownNotSetAsideRowByRow() {
        // SQLite's driver gives no SQLState: "no such column" arrives as an uncategorized
        // exception, which must not pass for a row that does not map.
        JdbcKeysetScanner<Widened, Long> widened = JdbcScanStores.scanner(Widened.class, Long.class, dataSource,
                SqliteDialect.INSTANCE);

        assertThatExceptionOfType(DataAccessException.class)
            .isThrownBy(() -> widened.nextPage(widened.initialPosition(), ScanSettings.DEFAULTS));
    }

    @Test
    void aWholePageFailingAlikeIsThrown() {
        jdbc.update("update keyset_item set status = 'RETIRED'");

        assertThatIllegalStateException()
            .isThrownBy(() -> this.scanner.nextPage(this.scanner.initialPosition(), ScanSettings.DEFAULTS))
            .withMessageContaining("keyset_item");
    }

    @Test
    void anIdThatDoesNotConvertIsARejectAndTheScanGoesOn() {
        jdbc.execute("create table keyset_loose (id text, name text not null, status text not null)");
        try {
            jdbc.update("insert into keyset_loose values ('1', 'a', 'ACTIVE'), ('2', 'b', 'ACTIVE'),"
                    + " ('x', 'c', 'ACTIVE'), (null, 'd', 'ACTIVE'), ('3', 'e', 'ACTIVE')");
            JdbcKeysetScanner<Loose, Long> loose = JdbcScanStores.scanner(Loose.class, Long.class, dataSource,
                    SqliteDialect.INSTANCE);
            ScanSettings twoAtATime = ScanSettings.DEFAULTS.withBatchSize(2);
            List<ScannedEntry<Loose, Long>> all = new java.util.ArrayList<>();
            SourcePosition position = loose.initialPosition();
            for (int step = 0; step < 10; step++) {
                SourceBatch<Loose, Long> batch = loose.nextPage(loose.parsePosition(position.text()), twoAtATime);
                all.addAll(batch.entries());
                position = batch.position();
                if (batch.complete()) {
                    break;
                }
            }
            assertThat(position.text()).startsWith("keyset:done:");
            assertThat(all).filteredOn((entry) -> !entry.isReject())
                .extracting(ScannedEntry::id)
                .containsExactly(1L, 2L, 3L);
            assertThat(all).filteredOn(ScannedEntry::isReject).hasSize(2).allSatisfy((reject) -> {
                assertThat(reject.problem()).contains("keyset_loose");
            });
        }
        finally {
            jdbc.execute("drop table keyset_loose");
        }
    }

    @Test
    void aNullStringIdIsNotTheKeyNull() {
        jdbc.execute("create table keyset_named (id text, name text not null, status text not null)");
        try {
            jdbc.update("insert into keyset_named values (null, 'a', 'ACTIVE'), ('a', 'b', 'ACTIVE'),"
                    + " ('m', 'c', 'ACTIVE'), ('o', 'd', 'ACTIVE'), ('z', 'e', 'ACTIVE')");
            JdbcKeysetScanner<Named, String> named = JdbcScanStores.scanner(Named.class, String.class, dataSource,
                    SqliteDialect.INSTANCE);
            ScanSettings twoAtATime = ScanSettings.DEFAULTS.withBatchSize(2);
            List<ScannedEntry<Named, String>> all = new java.util.ArrayList<>();
            SourcePosition position = named.initialPosition();
            for (int step = 0; step < 10; step++) {
                SourceBatch<Named, String> batch = named.nextPage(named.parsePosition(position.text()), twoAtATime);
                all.addAll(batch.entries());
                position = batch.position();
                if (batch.complete()) {
                    break;
                }
            }
            assertThat(all).filteredOn((entry) -> !entry.isReject())
                .extracting(ScannedEntry::redisKey)
                .containsExactly("a", "m", "o", "z");
            assertThat(all).filteredOn(ScannedEntry::isReject).hasSize(1);
        }
        finally {
            jdbc.execute("drop table keyset_named");
        }
    }

    @Test
    void anIdThatIsNotTheTextOfItsKeyIsARejectAndNotTheCursor() {
        // '007' in a TEXT column maps to 7; binding 7 next ("id > '7'" in SQLite) would skip '1'
        // and '2', and the key "7" would name no row for read and existing.
        jdbc.execute("create table keyset_loose (id text, name text not null, status text not null)");
        try {
            jdbc.update("insert into keyset_loose values ('007', 'a', 'ACTIVE'), ('1', 'b', 'ACTIVE'),"
                    + " ('2', 'c', 'ACTIVE')");
            JdbcKeysetScanner<Loose, Long> loose = JdbcScanStores.scanner(Loose.class, Long.class, dataSource,
                    SqliteDialect.INSTANCE);
            ScanSettings oneAtATime = ScanSettings.DEFAULTS.withBatchSize(1);
            List<ScannedEntry<Loose, Long>> all = new java.util.ArrayList<>();
            SourcePosition position = loose.initialPosition();
            for (int step = 0; step < 10; step++) {
                SourceBatch<Loose, Long> batch = loose.nextPage(loose.parsePosition(position.text()), oneAtATime);
                all.addAll(batch.entries());
                position = batch.position();
                if (batch.complete()) {
                    break;
                }
            }
            assertThat(all).filteredOn((entry) -> !entry.isReject())
                .extracting(ScannedEntry::id)
                .containsExactly(1L, 2L);
            assertThat(all).filteredOn(ScannedEntry::isReject).singleElement().satisfies((reject) -> {
                assertThat(reject.redisKey()).isEqualTo("007");
                assertThat(reject.problem()).contains("keyset_loose", "'7'");
            });
        }
        finally {
            jdbc.execute("drop table keyset_loose");
        }
    }

    @Test
    void aSqliteFileOutsideWalModeIsRefused() {
        // In rollback-journal mode a step's read transaction holds a SHARED lock that blocks the
        // live application's commits until it ends.
        SQLiteDataSource journal = new SQLiteDataSource();
        journal.setUrl("jdbc:sqlite:" + directory.resolve("journal.db"));

        assertThatIllegalStateException()
            .isThrownBy(() -> JdbcScanStores.scanner(Item.class, Long.class, journal, SqliteDialect.INSTANCE))
            .withMessageContaining("journal_mode")
            .withMessageContaining("wal");
    }

    enum Status {

        ACTIVE

    }

    @Table("keyset_item")
    record Item(@Id Long id, String name, Status status) {
    }

    @Table("keyset_item")
    record Widened(@Id Long id, String name, Status status, String addedLater) {
    }

    @Table("keyset_loose")
    record Loose(@Id Long id, String name, Status status) {
    }

    @Table("keyset_named")
    record Named(@Id String id, String name, Status status) {
    }

    @Table("no_such_table")
    record Missing(@Id Long id) {
    }

}
