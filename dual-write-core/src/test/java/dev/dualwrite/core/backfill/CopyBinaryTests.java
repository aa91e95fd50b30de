package dev.dualwrite.core.backfill;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PGobject;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CopyBinary} against a real PostgreSQL: every row it writes in binary {@code COPY} is
 * stored exactly as the same values bound by the driver to an {@code INSERT} (and as text
 * {@code COPY} stores them), compared column by column as PostgreSQL prints them; values it is
 * not written for are refused without appending anything.
 */
class CopyBinaryTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(CopyBinaryTests.class);

    private static final String COLUMNS = "n, t, v, c, i2, i4, i8, b, j, jb, u, tz, tz3, ts, ts0, d, bt";

    private static final List<String> TYPES = List.of("integer", "text", "varchar(20)", "char(4)", "smallint",
            "integer", "bigint", "boolean", "json", "jsonb", "uuid", "timestamptz", "timestamptz(3)", "timestamp",
            "timestamp(0)", "date", "bytea");

    private final JdbcTemplate jdbc = new JdbcTemplate(schema.dataSource());

    @Test
    void storesEveryKindAsTheDriversBindingAndTextCopyStoreIt() throws Exception {
        List<Object[]> rows = rows();
        String bound = table("bound");
        String text = table("text");
        String binary = table("bin");
        String placeholders = String.join(", ", Collections.nCopies(TYPES.size(), "?"));
        for (Object[] row : rows) {
            // The driver binds no Instant (Spring Data JDBC hands it a Timestamp): the same
            // instant as an OffsetDateTime.
            Object[] bindable = row.clone();
            for (int i = 0; i < bindable.length; i++) {
                if (bindable[i] instanceof Instant instant) {
                    bindable[i] = instant.atOffset(ZoneOffset.UTC);
                }
            }
            this.jdbc.update("insert into " + bound + " (" + COLUMNS + ") values (" + placeholders + ")", bindable);
        }

        // Classified by the types as the catalog spells them, as CopyInsert classifies them.
        List<String> types = this.jdbc.queryForList("select format_type(atttypid, atttypmod) from pg_attribute "
                + "where attrelid = to_regclass(?) and attnum > 0 order by attnum", String.class, bound);
        copy(text, encode(rows, types, false), "");
        copy(binary, encode(rows, types, true), " (format binary)");

        List<String> expected = printed(bound);
        assertThat(expected).hasSize(rows.size());
        assertThat(printed(text)).isEqualTo(expected);
        assertThat(printed(binary)).isEqualTo(expected);
    }

    @Test
    void refusesValuesItIsNotWrittenForAndAppendsNothing() throws Exception {
        CopyRows rows = CopyRows.binary(1, 16, 1);
        assertThat(CopyBinary.append(rows, CopyBinary.Kind.INT4, 1L << 40)).isFalse();
        assertThat(CopyBinary.append(rows, CopyBinary.Kind.INT2, 40_000)).isFalse();
        assertThat(CopyBinary.append(rows, CopyBinary.Kind.INT8, BigInteger.ONE.shiftLeft(70))).isFalse();
        assertThat(CopyBinary.append(rows, CopyBinary.Kind.INT8, new BigDecimal("1.5"))).isFalse();
        assertThat(CopyBinary.append(rows, CopyBinary.Kind.TEXT, 42)).isFalse();
        // A String is bound as varchar, which a JSON column refuses: not written as JSON either.
        assertThat(CopyBinary.append(rows, CopyBinary.Kind.JSONB, "{}")).isFalse();
        assertThat(CopyBinary.append(rows, CopyBinary.Kind.TIMESTAMPTZ, Instant.MAX)).isFalse();
        assertThat(CopyBinary.append(rows, CopyBinary.Kind.DATE, "2024-01-01")).isFalse();
        // Nothing was appended: the row's one field is the one written now, which PostgreSQL
        // reads back as it is (any bytes left before it would break the row).
        assertThat(CopyBinary.append(rows, CopyBinary.Kind.INT4, 42)).isTrue();
        rows.endRow();
        String table = schema.name() + ".refused";
        this.jdbc.execute("drop table if exists " + table);
        this.jdbc.execute("create table " + table + " (n integer)");
        try (Connection connection = schema.dataSource().getConnection()) {
            CopyIn copy = connection.unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn("copy " + table + " (n) from stdin (format binary)");
            rows.writeTo(copy, new BitSet());
            copy.endCopy();
        }
        assertThat(this.jdbc.queryForList("select n from " + table, Integer.class)).containsExactly(42);
    }

    @Test
    void classifiesColumnTypesItWritesAndLeavesTheOthersToText() {
        assertThat(CopyBinary.Kind.of("character varying(20)")).isEqualTo(CopyBinary.Kind.TEXT);
        assertThat(CopyBinary.Kind.of("character(4)")).isEqualTo(CopyBinary.Kind.TEXT);
        assertThat(CopyBinary.Kind.of("timestamp(3) with time zone")).isEqualTo(CopyBinary.Kind.TIMESTAMPTZ);
        assertThat(CopyBinary.Kind.of("timestamp(0) without time zone")).isEqualTo(CopyBinary.Kind.TIMESTAMP);
        assertThat(CopyBinary.Kind.of("jsonb")).isEqualTo(CopyBinary.Kind.JSONB);
        assertThat(CopyBinary.Kind.of("numeric(10,2)")).isNull();
        assertThat(CopyBinary.Kind.of("double precision")).isNull();
        assertThat(CopyBinary.Kind.of("citext")).isNull();
    }

    // Values of every class the converter hands over, at the edges: nulls, padding, rounding
    // to the column's precision, non-ASCII text, signs, the epoch's neighbourhood.
    private static List<Object[]> rows() throws Exception {
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] { 1, "plain", "short", "ab", (short) 7, 7, 7L, true, json("json", "{\"b\": 1,  \"a\": [1, 2]}"),
                json("jsonb", "{\"b\": 1, \"a\": \"ünï ✓\"}"), UUID.fromString("123e4567-e89b-12d3-a456-426614174000"),
                Timestamp.from(Instant.parse("2024-03-01T12:34:56.789123456Z")),
                Instant.parse("2024-03-01T12:34:56.7895Z"), LocalDateTime.parse("2024-03-01T12:34:56.1234565"),
                Timestamp.valueOf(LocalDateTime.parse("2024-03-01T12:34:56.5")), LocalDate.parse("2024-02-29"),
                new byte[] { 0, 1, (byte) 0xFF, '\\', '\t' } });
        rows.add(new Object[] { 2, "tab\there\nnew line \\ back", "ünïcødé ✓ 🚀", "x", Short.MIN_VALUE,
                Integer.MIN_VALUE, Long.MIN_VALUE, false, json("json", "[]"), json("jsonb", "[1, 2.50, null]"),
                new UUID(-1L, 0L), OffsetDateTime.of(1999, 12, 31, 23, 59, 59, 999_999_500, ZoneOffset.ofHours(-5)),
                Timestamp.from(Instant.parse("1970-01-01T00:00:00Z")), LocalDateTime.parse("1899-12-31T23:59:59.999999"),
                LocalDateTime.parse("2000-01-01T00:00:00.499999"), java.sql.Date.valueOf("1999-12-31"), new byte[0] });
        rows.add(new Object[] { 3, "", "", "", Short.MAX_VALUE, Integer.MAX_VALUE, BigInteger.valueOf(Long.MAX_VALUE),
                true, json("json", "\"s\""), json("jsonb", "{}"), UUID.randomUUID(),
                Instant.parse("2000-01-01T00:00:00Z"), Instant.parse("2000-01-01T00:00:00.0004999Z"),
                LocalDateTime.parse("2000-01-01T00:00:00"), LocalDateTime.parse("2038-01-19T03:14:08"),
                Timestamp.valueOf(LocalDateTime.parse("2024-06-30T00:00:00")), new byte[] { 42 } });
        rows.add(new Object[] { 4, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null });
        return rows;
    }

    private static PGobject json(String type, String value) throws Exception {
        PGobject json = new PGobject();
        json.setType(type);
        json.setValue(value);
        return json;
    }

    private static CopyRows encode(List<Object[]> rows, List<String> types, boolean binary) {
        List<CopyBinary.Kind> binaryKinds = types.stream().map(CopyBinary.Kind::of).toList();
        List<CopyText.Kind> textKinds = types.stream().map(CopyText.Kind::of).toList();
        CopyRows encoded = binary ? CopyRows.binary(rows.size(), 64, TYPES.size()) : CopyRows.text(rows.size(), 64);
        for (Object[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                boolean appended = binary ? CopyBinary.append(encoded, binaryKinds.get(i), row[i])
                        : CopyText.append(encoded, textKinds.get(i), row[i]);
                assertThat(appended).as("column %s of row %s", i, row[0]).isTrue();
            }
            encoded.endRow();
        }
        return encoded;
    }

    private String table(String name) {
        String table = schema.name() + "." + name;
        StringBuilder columns = new StringBuilder();
        String[] names = COLUMNS.split(", ");
        for (int i = 0; i < names.length; i++) {
            columns.append((i > 0) ? ", " : "").append(names[i]).append(' ').append(TYPES.get(i));
        }
        this.jdbc.execute("drop table if exists " + table);
        this.jdbc.execute("create table " + table + " (" + columns + ")");
        return table;
    }

    private void copy(String table, CopyRows rows, String options) throws Exception {
        try (Connection connection = schema.dataSource().getConnection()) {
            CopyIn copy = connection.unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn("copy " + table + " (" + COLUMNS + ") from stdin" + options);
            rows.writeTo(copy, new BitSet());
            copy.endCopy();
        }
    }

    // Every column as PostgreSQL prints it (timestamps in UTC), row by row.
    private List<String> printed(String table) {
        String[] names = COLUMNS.split(", ");
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            columns.add(TYPES.get(i).startsWith("timestamptz") ? "(" + names[i] + " at time zone 'UTC')::text"
                    : names[i] + "::text");
        }
        return this.jdbc.queryForList("select concat_ws(' | ', " + String.join(", ", columns) + ") from " + table
                + " order by n", String.class);
    }

}
