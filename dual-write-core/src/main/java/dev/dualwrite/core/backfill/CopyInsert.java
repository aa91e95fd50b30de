package dev.dualwrite.core.backfill;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.dualwrite.core.backfill.PostgresBatchWriter.PreparedRow;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;
import org.postgresql.copy.CopyIn;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

/**
 * Inserts the absent rows of a batch by streaming them with {@code COPY} straight into the
 * table. Called inside the batch's transaction, after its locks: one query finds which of the
 * batch's ids are present, and COPY inserts the others. That is as race-safe as
 * {@code INSERT ... ON CONFLICT DO NOTHING}, because every writer of a key takes the key's lock
 * before writing its row, so no row can appear between the query and the COPY; should a
 * writer that bypasses the library insert one anyway, the COPY fails with a unique violation
 * and the batch is written row by row with {@code ON CONFLICT DO NOTHING} instead.
 * <p>
 * It is the cheapest way in for PostgreSQL: no statement to parse for the values, the table's
 * bulk insert, and none of a staging table's or a speculative insertion's extra work (see
 * {@code docs/backfill.md} for the figures).
 */
final class CopyInsert {

    // A row of the sample's shape is about 1 KB; the buffer grows if rows are larger.
    private static final int EXPECTED_ROW_BYTES = 1024;

    private final JdbcOperations jdbc;

    private final String presentSql;

    private final String copySql;

    private final CopyText.Kind[] kinds;

    // The binary form of each column, or null when some column has none (text COPY then).
    private final CopyBinary.Kind @Nullable [] binaryKinds;

    private final String binaryCopySql;

    private final int idIndex;

    private final String differingSql;

    // The verifier's query, or why there is none.
    private final StoredRowQuery.Query storedRowQuery;

    private CopyInsert(JdbcOperations jdbc, String presentSql, String copySql, CopyText.Kind[] kinds,
            CopyBinary.Kind @Nullable [] binaryKinds, int idIndex, String differingSql,
            StoredRowQuery.Query storedRowQuery) {
        this.jdbc = jdbc;
        this.presentSql = presentSql;
        this.copySql = copySql;
        this.kinds = kinds;
        this.binaryKinds = binaryKinds;
        this.binaryCopySql = copySql + " (format binary)";
        this.idIndex = idIndex;
        this.differingSql = differingSql;
        this.storedRowQuery = storedRowQuery;
    }

    /**
     * Prepare COPY for a table, if the driver and every column's type allow it.
     * @param table the quoted, qualified table name
     * @param idColumn the quoted id column
     * @param columnList the quoted columns, in insert order
     * @param columnNames the same columns, unquoted
     * @param quotedColumns the same columns, quoted
     * @param idIndex the id column's index among them
     * @param stringProperties for each column, whether its property is a {@code String}
     * @param everyPropertyWritten whether the columns hold every persistent property
     * @return the copy insert, or the reason it cannot be used (a {@code String})
     */
    static Object create(JdbcOperations jdbc, String table, String idColumn, String columnList,
            List<String> columnNames, List<String> quotedColumns, int idIndex, boolean[] stringProperties,
            boolean everyPropertyWritten) {
        if (!ClassUtils.isPresent("org.postgresql.PGConnection", CopyInsert.class.getClassLoader())) {
            return "the PostgreSQL JDBC driver is not on the class path";
        }
        Map<String, String> types = new HashMap<>();
        Map<String, String> baseTypes = new HashMap<>();
        jdbc.query("select a.attname, format_type(a.atttypid, a.atttypmod), format_type(a.atttypid, null) "
                + "from pg_attribute a where a.attrelid = to_regclass(?) and a.attnum > 0 and not a.attisdropped",
                (ResultSet rs) -> {
                    types.put(rs.getString(1), rs.getString(2));
                    baseTypes.put(rs.getString(1), rs.getString(3));
                }, table);
        CopyText.Kind[] kinds = new CopyText.Kind[columnNames.size()];
        for (int i = 0; i < kinds.length; i++) {
            String type = types.get(columnNames.get(i));
            CopyText.Kind kind = (type != null) ? CopyText.Kind.of(type) : null;
            if (kind == null) {
                return "column '" + columnNames.get(i) + "' has type " + type + ", which COPY is not used for";
            }
            kinds[i] = kind;
        }
        CopyBinary.Kind[] binaryKinds = new CopyBinary.Kind[columnNames.size()];
        for (int i = 0; i < binaryKinds.length; i++) {
            binaryKinds[i] = CopyBinary.Kind.of(types.get(columnNames.get(i)));
            if (binaryKinds[i] == null) {
                binaryKinds = null;
                break;
            }
        }
        // The ids go as text and are read by the id type's input function, as COPY reads them.
        // The cast is to the type without its modifier: a cast to varchar(n) would truncate.
        String idType = unmodified(baseTypes.get(columnNames.get(idIndex)));
        String presentSql = overBatch(table, idColumn, 0, idType, 1, false, List.of("true"));
        return new CopyInsert(jdbc, presentSql, "copy " + table + " (" + columnList + ") from stdin", kinds,
                binaryKinds, idIndex,
                differingSql(table, idColumn, quotedColumns, idIndex, kinds, columnNames, types, baseTypes),
                StoredRowQuery.build(table, idColumn, quotedColumns, idIndex, columnNames, baseTypes, stringProperties,
                        everyPropertyWritten));
    }

    // format_type(oid, null) spells char(n) "character", which as a cast is char(1): bpchar is
    // the same type without a length.
    private static String unmodified(String baseType) {
        return "character".equals(baseType) ? "bpchar" : baseType;
    }

    // The catch-up's filter: each row's values go as text, one array per column; a row is
    // returned when any stored column may differ. Text and json are compared as text, cast to
    // the type without its modifier first: a cast to varchar(n) would truncate an over-long
    // value into the stored one, citext's own equality ignores case, and json has none. A
    // value only padded differently (char(n)) or otherwise equal as text may come back too:
    // the entity comparison decides. Other types are read by their input function with the
    // modifier, as COPY reads them (numeric(p,s) and timestamp(p) round on a write alike), and
    // compared by the type's own equality, so equal values in another spelling are not returned.
    private static String differingSql(String table, String idColumn, List<String> quotedColumns, int idIndex,
            CopyText.Kind[] kinds, List<String> columnNames, Map<String, String> types, Map<String, String> baseTypes) {
        List<String> differs = new ArrayList<>();
        for (int i = 0; i < columnNames.size(); i++) {
            if (i != idIndex) {
                String base = unmodified(baseTypes.get(columnNames.get(i)));
                boolean asText = kinds[i] == CopyText.Kind.TEXT || "json".equals(base);
                differs.add(asText
                        ? "t." + quotedColumns.get(i) + "::text is distinct from (k.c" + i + "::" + base + ")::text"
                        : "t." + quotedColumns.get(i) + " is distinct from k.c" + i + "::" + types.get(columnNames.get(i)));
            }
        }
        return overBatch(table, idColumn, idIndex, unmodified(baseTypes.get(columnNames.get(idIndex))),
                columnNames.size(), false, differs);
    }

    /**
     * Build a query over a batch's values, sent as one {@code text[]} parameter per column
     * ({@code k.c0}, {@code k.c1}, ...), each row joined to the table's row of its id
     * ({@code t}), that returns the (1-based) numbers of the rows any condition holds for.
     * @param idType the type the id is cast to, without a modifier
     * @param absentToo whether rows without a stored row are kept ({@code left join})
     * @param conditions the conditions, any of which returns a row; none returns no row
     */
    static String overBatch(String table, String idColumn, int idIndex, String idType, int columns,
            boolean absentToo, List<String> conditions) {
        StringBuilder sql = new StringBuilder("select k.n from unnest(");
        StringBuilder aliases = new StringBuilder();
        for (int i = 0; i < columns; i++) {
            sql.append((i > 0) ? ", " : "").append("?::text[]");
            aliases.append('c').append(i).append(", ");
        }
        return sql.append(") with ordinality as k(").append(aliases).append("n) ")
            .append(absentToo ? "left join " : "join ").append(table).append(" t on t.").append(idColumn)
            .append(" = k.c").append(idIndex).append("::").append(idType)
            .append(" where ").append(conditions.isEmpty() ? "false" : String.join(" or ", conditions))
            .toString();
    }

    /**
     * Return which rows of a batch are in the table with stored values that differ from the
     * row's, in one query and without reading the rows into the JVM: what a catch-up has to
     * look at more closely. A row equal by this test is exactly what inserting it would store.
     * @return the indexes of those rows, or {@code null} when a value has no text form
     */
    @Nullable BitSet differing(List<PreparedRow<?>> rows) {
        return matching(this.differingSql, rows);
    }

    /**
     * Return which rows of a batch are absent from the table or in it with stored values that
     * may differ from the row's as the verifier compares them, in one query and without
     * reading the rows into the JVM ({@link StoredRowQuery}): the rows a verification has to
     * load and compare.
     * @return the indexes of those rows, or {@code null} when the table has no such query
     * ({@link #whyNoStoredRowQuery()}) or a value has no text form
     */
    @Nullable BitSet absentOrDiffering(List<PreparedRow<?>> rows) {
        String sql = this.storedRowQuery.sql();
        return (sql != null) ? matching(sql, rows) : null;
    }

    /** Tell why there is no verifier's query of this table ({@link StoredRowQuery}), if there is none. */
    @Nullable String whyNoStoredRowQuery() {
        return this.storedRowQuery.whyNone();
    }

    // The indexes of the rows a query over the batch's values (one text array per column) returns.
    private @Nullable BitSet matching(String sql, List<PreparedRow<?>> rows) {
        String[][] columns = new String[this.kinds.length][rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            Object[] values = rows.get(r).values();
            Assert.state(values != null, "row not prepared for the fast path");
            for (int i = 0; i < values.length; i++) {
                if (values[i] != null) {
                    columns[i][r] = CopyText.text(this.kinds[i], values[i]);
                    if (columns[i][r] == null) {
                        return null;
                    }
                }
            }
        }
        return this.jdbc.execute((ConnectionCallback<BitSet>) (connection) -> {
            BitSet matching = new BitSet(rows.size());
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.unwrap(PGStatement.class).setPrepareThreshold(0);
                for (int i = 0; i < columns.length; i++) {
                    statement.setArray(i + 1, connection.createArrayOf("text", columns[i]));
                }
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        matching.set(rs.getInt(1) - 1);
                    }
                }
            }
            return matching;
        });
    }

    /**
     * Insert the absent rows of a batch; to be called inside the batch's transaction, after
     * its locks.
     * @return the keys of the rows inserted, or {@code null} when a value cannot be written in
     * COPY's text form (nothing was written; use the multi-row statement)
     */
    @Nullable Set<String> insert(List<PreparedRow<?>> rows) {
        String[] ids = new String[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            Object[] values = rows.get(r).values();
            Assert.state(values != null, "row not prepared for the fast path");
            ids[r] = CopyText.text(this.kinds[this.idIndex], values[this.idIndex]);
            if (ids[r] == null) {
                return null;
            }
        }
        CopyRows binary = (this.binaryKinds != null) ? binary(rows, this.binaryKinds) : null;
        CopyRows encoded = (binary != null) ? binary : text(rows);
        if (encoded == null) {
            return null;
        }
        String copySql = (binary != null) ? this.binaryCopySql : this.copySql;
        return this.jdbc.execute((ConnectionCallback<Set<String>>) (connection) -> {
            BitSet present = present(connection, ids);
            Set<String> inserted = new HashSet<>(2 * (rows.size() - present.cardinality()));
            for (int r = present.nextClearBit(0); r < rows.size(); r = present.nextClearBit(r + 1)) {
                inserted.add(rows.get(r).key());
            }
            if (!inserted.isEmpty()) {
                copy(connection, copySql, encoded, present);
            }
            return inserted;
        });
    }

    // The rows in the binary format, or null when a value has none that CopyBinary writes.
    private static @Nullable CopyRows binary(List<PreparedRow<?>> rows, CopyBinary.Kind[] kinds) {
        CopyRows encoded = CopyRows.binary(rows.size(), EXPECTED_ROW_BYTES, kinds.length);
        for (PreparedRow<?> row : rows) {
            Object[] values = row.values();
            for (int i = 0; i < kinds.length; i++) {
                if (!CopyBinary.append(encoded, kinds[i], values[i])) {
                    return null;
                }
            }
            encoded.endRow();
        }
        return encoded;
    }

    // The rows in the text format, or null when a value has no text form that CopyText writes.
    private @Nullable CopyRows text(List<PreparedRow<?>> rows) {
        CopyRows encoded = CopyRows.text(rows.size(), EXPECTED_ROW_BYTES);
        for (PreparedRow<?> row : rows) {
            Object[] values = row.values();
            for (int i = 0; i < values.length; i++) {
                if (!CopyText.append(encoded, this.kinds[i], values[i])) {
                    return null;
                }
            }
            encoded.endRow();
        }
        return encoded;
    }

    // The indexes of the rows whose ids are in the table.
    private BitSet present(Connection connection, String[] ids) throws SQLException {
        BitSet present = new BitSet(ids.length);
        try (PreparedStatement statement = connection.prepareStatement(this.presentSql)) {
            // Planned afresh for each batch, never with a cached generic plan: one made while the
            // table was nearly empty scans the whole table for every batch once it has filled.
            statement.unwrap(PGStatement.class).setPrepareThreshold(0);
            statement.setArray(1, connection.createArrayOf("text", ids));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    present.set(rs.getInt(1) - 1);
                }
            }
        }
        return present;
    }

    private static void copy(Connection connection, String copySql, CopyRows encoded, BitSet skip)
            throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
        try {
            encoded.writeTo(copy, skip);
            copy.endCopy();
        }
        finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

}
