package dev.dualwrite.core.backfill;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

import dev.dualwrite.core.backfill.PostgresBatchWriter.PreparedRow;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * {@link CopyInsert} against a real PostgreSQL: rows whose ids are present are left as they
 * are and the others inserted, whatever the id column's type.
 */
class CopyInsertTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(CopyInsertTests.class);

    private final JdbcTemplate jdbc = new JdbcTemplate(schema.dataSource());

    @Test
    void keepsPresentRowsAndInsertsTheOthersWithBigintIds() {
        assertKeepsPresentRows("bigint", (i) -> (long) i * 1_000_003L);
    }

    @Test
    void keepsPresentRowsAndInsertsTheOthersWithUuidIds() {
        assertKeepsPresentRows("uuid", (i) -> new UUID(i, i));
    }

    @Test
    void keepsPresentRowsAndInsertsTheOthersWithVarcharIds() {
        assertKeepsPresentRows("varchar(12)", (i) -> "id-" + i);
    }

    @Test
    void anIdTooLongForItsColumnIsNeverTakenForAPresentOneItTruncatesTo() {
        String table = table("varchar(8)");
        this.jdbc.update("insert into " + table + " (id, name) values ('abcdefgh', 'live')");
        List<PreparedRow<?>> rows = new ArrayList<>(rows(20, (i) -> "r" + i));
        rows.add(row("abcdefghX", "too long"));

        // A cast to varchar(8) would have found 'abcdefgh' and skipped the row silently.
        assertThatException().isThrownBy(() -> copyInsert(table).insert(rows))
            .withMessageContaining("character varying(8)");
        assertThat(names(table)).containsExactly(Map.entry("abcdefgh", "live"));
    }

    private void assertKeepsPresentRows(String idType, IntFunction<Object> id) {
        String table = table(idType);
        List<PreparedRow<?>> rows = rows(30, id);
        List<Integer> present = List.of(0, 1, 7, 15, 16, 29);
        for (int i : present) {
            this.jdbc.update("insert into " + table + " (id, name) values (?, 'live')", id.apply(i));
        }

        Set<String> inserted = copyInsert(table).insert(rows);

        assertThat(inserted).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 30)
            .filter((i) -> !present.contains(i))
            .mapToObj((i) -> "key-" + id.apply(i))
            .toList());
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < 30; i++) {
            expected.put(String.valueOf(id.apply(i)), present.contains(i) ? "live" : "name " + i);
        }
        assertThat(names(table)).isEqualTo(expected);
    }

    private String table(String idType) {
        String table = schema.name() + ".copied";
        this.jdbc.execute("drop table if exists " + table);
        this.jdbc.execute("create table " + table + " (id " + idType + " primary key, name text)");
        return table;
    }

    private CopyInsert copyInsert(String table) {
        Object copyInsert = CopyInsert.create(this.jdbc, table, "id", "id, name", List.of("id", "name"), 0);
        assertThat(copyInsert).isInstanceOf(CopyInsert.class);
        return (CopyInsert) copyInsert;
    }

    private static List<PreparedRow<?>> rows(int count, IntFunction<Object> id) {
        return IntStream.range(0, count).<PreparedRow<?>>mapToObj((i) -> row(id.apply(i), "name " + i)).toList();
    }

    private static PreparedRow<?> row(Object id, String name) {
        return new PreparedRow<>("key-" + id, "redis:" + id, id, id, name, new Object[] { id, name },
                new int[] { java.sql.Types.OTHER, java.sql.Types.VARCHAR });
    }

    private Map<String, String> names(String table) {
        Map<String, String> names = new TreeMap<>();
        this.jdbc.query("select id, name from " + table, (rs) -> {
            names.put(rs.getString(1), rs.getString(2));
        });
        return names;
    }

}
