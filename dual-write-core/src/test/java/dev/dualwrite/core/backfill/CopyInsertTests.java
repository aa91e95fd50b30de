package dev.dualwrite.core.backfill;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

import dev.dualwrite.core.backfill.PostgresBatchWriter.PreparedRow;
import dev.dualwrite.testsupport.TestSchema;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
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

    @Test
    void differingFindsThePresentRowsWhoseStoredValuesDifferAndNoOthers() {
        String table = table("bigint");
        List<PreparedRow<?>> rows = new ArrayList<>(rows(15, (i) -> (long) i));
        rows.set(7, row(7L, null));
        for (int i = 0; i < 10; i++) {
            // 3 is stale, 5 holds null where the row has a name, 7 a name where the row has null.
            String stored = (i == 3) ? "stale" : (i == 5) ? null : "name " + i;
            this.jdbc.update("insert into " + table + " (id, name) values (?, ?)", (long) i, stored);
        }

        BitSet differing = copyInsert(table).differing(rows);

        assertThat(differing).as("10 to 14 are absent: not differing").isEqualTo(BitSet.valueOf(new long[] { 0b10101000 }));
    }

    @Test
    void differingFindsAValueTooLongForItsVarcharColumnThatACastWouldTruncateToTheStoredOne() {
        String table = textTable("bigint", "varchar(5)");
        this.jdbc.update("insert into " + table + " (id, name) values (1, 'abcde'), (2, 'abcde')");
        List<PreparedRow<?>> rows = List.of(row(1L, "abcdefg"), row(2L, "abcde"));

        BitSet differing = copyInsert(table).differing(rows);

        // 'abcdefg'::varchar(5) is 'abcde': the old filter found row 1 equal and never refreshed it.
        assertThat(differing.stream().boxed().toList()).containsExactly(0);
    }

    @Test
    void differingFindsAValueThatDiffersFromACitextColumnOnlyInCase() {
        // Assumption: citext is available on the test server and this role may create it (it is
        // a trusted extension); it is created in this class's schema and dropped with it.
        Boolean created = this.jdbc.execute((java.sql.Connection connection) -> {
            try (java.sql.Statement statement = connection.createStatement()) {
                statement.execute("create extension if not exists citext with schema " + schema.name());
                return true;
            }
            catch (java.sql.SQLException ex) {
                return false;
            }
        });
        Assumptions.assumeTrue(Boolean.TRUE.equals(created), "citext cannot be created here: case skipped");
        try {
            String table = textTable("bigint", "citext");
            this.jdbc.update("insert into " + table + " (id, name) values (1, 'Alice'), (2, 'Bob')");
            List<PreparedRow<?>> rows = List.of(row(1L, "alice"), row(2L, "Bob"));

            BitSet differing = copyInsert(table).differing(rows);

            // citext's = ignores case: 'alice' = 'Alice' there, but the entity holds "alice".
            assertThat(differing.stream().boxed().toList()).containsExactly(0);
        }
        finally {
            this.jdbc.execute("drop table if exists " + schema.name() + ".copied");
            this.jdbc.execute("drop extension if exists citext");
        }
    }

    @Test
    void charIdsAreFoundPresentAndTheirDifferingRowsFound() {
        String table = textTable("char(6)", "text");
        this.jdbc.update("insert into " + table + " (id, name) values ('ab', 'stored'), ('abcdef', 'same')");
        List<PreparedRow<?>> rows = new ArrayList<>(rows(20, (i) -> "r" + i));
        rows.add(row("ab", "changed"));
        rows.add(row("abcdef", "same"));

        // A cast to character (char(1)) made every id 'a' or 'r': the present rows were not
        // found, COPY hit their primary key and the differing rows went unseen.
        BitSet differing = copyInsert(table).differing(rows);
        Set<String> inserted = copyInsert(table).insert(rows);

        assertThat(differing.stream().boxed().toList()).containsExactly(20);
        assertThat(inserted).hasSize(20).doesNotContain("key-ab", "key-abcdef");
        assertThat(this.jdbc.queryForObject("select name from " + table + " where id = 'ab'", String.class))
            .isEqualTo("stored");
    }

    @Test
    void theVerifiersQueryNamesAbsentRowsAndValuesTheColumnsRoundOrTruncate() throws Exception {
        String table = schema.name() + ".measured";
        this.jdbc.execute("drop table if exists " + table);
        this.jdbc.execute("create table " + table + " (id bigint primary key, amount numeric(10,2), "
                + "at timestamptz(3), name varchar(5), doc jsonb)");
        this.jdbc.update("insert into " + table + " values (1, 2.01, '2024-05-01T10:00:00.123Z', 'abcde', "
                + "'{\"a\": 2, \"b\": 1}')");
        for (long id = 2; id <= 5; id++) {
            this.jdbc.update("insert into " + table + " select " + id + ", amount, at, name, doc from " + table
                    + " where id = 1");
        }
        List<PreparedRow<?>> rows = List.of(measured(1, "2.01", "2024-05-01T10:00:00.123Z", "abcde", "{\"b\":1,\"a\":2}"),
                measured(2, "2.005", "2024-05-01T10:00:00.123Z", "abcde", "{\"a\":2,\"b\":1}"),
                measured(3, "2.01", "2024-05-01T10:00:00.123456Z", "abcde", "{\"a\":2,\"b\":1}"),
                measured(4, "2.01", "2024-05-01T10:00:00.123Z", "abcdefg", "{\"a\":2,\"b\":1}"),
                measured(5, "2.010", "2024-05-01T10:00:00.123Z", "abcde", "{\"a\":2,\"b\":3}"),
                measured(6, "2.01", "2024-05-01T10:00:00.123Z", "abcde", "{\"a\":2,\"b\":1}"));
        List<String> columns = List.of("id", "amount", "at", "name", "doc");
        CopyInsert asObjects = (CopyInsert) CopyInsert.create(this.jdbc, table, "id", String.join(", ", columns),
                columns, columns, 0, new boolean[5], true);
        CopyInsert asString = (CopyInsert) CopyInsert.create(this.jdbc, table, "id", String.join(", ", columns),
                columns, columns, 0, new boolean[] { false, false, false, false, true }, true);

        // 1 agrees (the same JSON value in another key order, a stored object); 2, 3 and 4
        // hold what their columns rounded or truncated; 5's JSON differs; 6 is absent.
        assertThat(asObjects.absentOrDiffering(rows).stream().boxed().toList()).containsExactly(1, 2, 3, 4, 5);
        // A String property is compared as written: row 1's text differs from the stored one.
        assertThat(asString.absentOrDiffering(rows).stream().boxed().toList()).containsExactly(0, 1, 2, 3, 4, 5);
        // The catch-up's look asks another question, what an insert would change: 2 and 3
        // would be stored as they are.
        assertThat(asObjects.differing(rows.subList(0, 5)).stream().boxed().toList()).containsExactly(3, 4);
    }

    @Test
    void theVerifierComparesInFullTablesItsQueryIsNotMadeFor() {
        String padded = schema.name() + ".padded";
        this.jdbc.execute("drop table if exists " + padded);
        this.jdbc.execute("create table " + padded + " (id bigint primary key, name char(4))");
        CopyInsert charTable = (CopyInsert) create(padded, "id, name", List.of("id", "name"), List.of("id", "name"));
        String table = table("bigint");
        CopyInsert readOnlyProperty = (CopyInsert) CopyInsert.create(this.jdbc, table, "id", "id, name",
                List.of("id", "name"), List.of("id", "name"), 0, new boolean[2], false);

        assertThat(charTable.absentOrDiffering(rows(3, (i) -> (long) i))).isNull();
        assertThat(readOnlyProperty.absentOrDiffering(rows(3, (i) -> (long) i))).isNull();
        assertThat(charTable.whyNoStoredRowQuery()).isEqualTo("column 'name' has type character, which the query "
                + "does not compare");
        assertThat(readOnlyProperty.whyNoStoredRowQuery()).contains("read-only");
    }

    @Test
    void theVerifiersQueryFailsOnAValueItsColumnCannotRead() {
        String table = schema.name() + ".counted";
        this.jdbc.execute("drop table if exists " + table);
        this.jdbc.execute("create table " + table + " (id bigint primary key, n integer)");
        this.jdbc.update("insert into " + table + " values (1, 5)");
        CopyInsert copy = (CopyInsert) create(table, "id, n", List.of("id", "n"), List.of("id", "n"));
        PreparedRow<?> tooLarge = new PreparedRow<>("key-1", "redis:1", 1L, 1L, "row", new Object[] { 1L, 1L << 40 },
                new int[] { java.sql.Types.BIGINT, java.sql.Types.INTEGER });

        // The verifier then compares the batch in full, which reports the key.
        assertThatException().isThrownBy(() -> copy.absentOrDiffering(List.of(tooLarge)))
            .withMessageContaining("out of range");
    }

    @Test
    void differingComparesJsonbAsValuesAndJsonAsWritten() throws Exception {
        String table = schema.name() + ".documents";
        this.jdbc.execute("drop table if exists " + table);
        this.jdbc.execute("create table " + table + " (id bigint primary key, doc jsonb, raw json)");
        this.jdbc.update("insert into " + table + " values (1, '{\"a\": 1, \"b\": 2}', '{\"a\": 1}')");
        this.jdbc.update("insert into " + table + " values (2, '{\"a\": 1}', '{\"a\":1}')");
        Object copy = create(table, "id, doc, raw", List.of("id", "doc", "raw"), List.of("id", "doc", "raw"));
        assertThat(copy).isInstanceOf(CopyInsert.class);
        List<PreparedRow<?>> rows = List.of(document(1L, "{\"b\":2,\"a\":1}", "{\"a\": 1}"),
                document(2L, "{\"a\":1}", "{\"a\": 1}"));

        BitSet differing = ((CopyInsert) copy).differing(rows);

        // Row 1: the same jsonb in another key order and the same json text: equal. Row 2: its
        // json is stored with other spacing, which json keeps.
        assertThat(differing.stream().boxed().toList()).containsExactly(1);
    }

    private static PreparedRow<?> measured(long id, String amount, String at, String name, String doc)
            throws Exception {
        org.postgresql.util.PGobject jsonb = new org.postgresql.util.PGobject();
        jsonb.setType("jsonb");
        jsonb.setValue(doc);
        return new PreparedRow<>("key-" + id, "redis:" + id, id, id, name,
                new Object[] { id, new java.math.BigDecimal(amount), java.sql.Timestamp.from(java.time.Instant.parse(at)),
                        name, jsonb },
                new int[] { java.sql.Types.BIGINT, java.sql.Types.NUMERIC, java.sql.Types.TIMESTAMP_WITH_TIMEZONE,
                        java.sql.Types.VARCHAR, java.sql.Types.OTHER });
    }

    private static PreparedRow<?> document(long id, String doc, String raw) throws Exception {
        org.postgresql.util.PGobject jsonb = new org.postgresql.util.PGobject();
        jsonb.setType("jsonb");
        jsonb.setValue(doc);
        org.postgresql.util.PGobject json = new org.postgresql.util.PGobject();
        json.setType("json");
        json.setValue(raw);
        return new PreparedRow<>("key-" + id, "redis:" + id, id, id, doc, new Object[] { id, jsonb, json },
                new int[] { java.sql.Types.BIGINT, java.sql.Types.OTHER, java.sql.Types.OTHER });
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

    private String textTable(String idType, String nameType) {
        String table = schema.name() + ".copied";
        this.jdbc.execute("drop table if exists " + table);
        this.jdbc.execute("create table " + table + " (id " + idType + " primary key, name " + nameType + ")");
        return table;
    }

    private String table(String idType) {
        String table = schema.name() + ".copied";
        this.jdbc.execute("drop table if exists " + table);
        this.jdbc.execute("create table " + table + " (id " + idType + " primary key, name text)");
        return table;
    }

    private CopyInsert copyInsert(String table) {
        Object copyInsert = create(table, "id, name", List.of("id", "name"), List.of("id", "name"));
        assertThat(copyInsert).isInstanceOf(CopyInsert.class);
        return (CopyInsert) copyInsert;
    }

    // Every column's property not a String, every property written.
    private Object create(String table, String columnList, List<String> columnNames, List<String> quotedColumns) {
        return CopyInsert.create(this.jdbc, table, "id", columnList, columnNames, quotedColumns, 0,
                new boolean[columnNames.size()], true);
    }

    private static List<PreparedRow<?>> rows(int count, IntFunction<Object> id) {
        return IntStream.range(0, count).<PreparedRow<?>>mapToObj((i) -> row(id.apply(i), "name " + i)).toList();
    }

    private static PreparedRow<?> row(Object id, @Nullable String name) {
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
