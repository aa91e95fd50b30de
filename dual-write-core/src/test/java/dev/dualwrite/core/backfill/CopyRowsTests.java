package dev.dualwrite.core.backfill;

import java.sql.Connection;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CopyRows} against a real PostgreSQL: whatever subset of a batch is streamed, exactly
 * those rows arrive, with every value as written.
 */
class CopyRowsTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(CopyRowsTests.class);

    private static final List<String> NAMES = List.of("plain", "tab\there", "line\nbreak", "carriage\r\nreturn",
            "back\\slash", "\\N", "\\.", "", "ünïcødé ✓ 🚀");

    private final JdbcTemplate jdbc = new JdbcTemplate(schema.dataSource());

    @BeforeEach
    void table() {
        this.jdbc.execute("drop table if exists " + schema.name() + ".copied");
        this.jdbc.execute("create table " + schema.name() + ".copied (id integer primary key, name text)");
    }

    static Stream<String> skipped() {
        // Rows left out, as a string of 10 flags: none, all, first, last, runs, alternating.
        return Stream.of("..........", "xxxxxxxxxx", "x.........", ".........x", "xxx..x.xxx", "x.x.x.x.x.",
                ".x.x.x.x.x", "xxxxxxxxx.", ".xxxxxxxxx");
    }

    @ParameterizedTest
    @MethodSource("skipped")
    void streamsExactlyTheRowsNotSkipped(String flags) throws Exception {
        CopyRows rows = CopyRows.text(flags.length(), 16);
        BitSet skip = new BitSet();
        Map<Integer, String> expected = new TreeMap<>();
        for (int i = 0; i < flags.length(); i++) {
            String name = NAMES.get(i % NAMES.size());
            rows.field(Integer.toString(i));
            if (i == 4) {
                rows.nullField();
            }
            else {
                rows.field(name);
            }
            rows.endRow();
            if (flags.charAt(i) == 'x') {
                skip.set(i);
            }
            else {
                expected.put(i, (i == 4) ? null : name);
            }
        }

        try (Connection connection = schema.dataSource().getConnection()) {
            CopyIn copy = connection.unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn("copy " + schema.name() + ".copied (id, name) from stdin");
            rows.writeTo(copy, skip);
            copy.endCopy();
        }

        Map<Integer, String> copied = new TreeMap<>();
        this.jdbc.query("select id, name from " + schema.name() + ".copied", (rs) -> {
            copied.put(rs.getInt(1), rs.getString(2));
        });
        assertThat(rows.rowCount()).isEqualTo(flags.length());
        assertThat(copied).isEqualTo(expected);
    }

}
