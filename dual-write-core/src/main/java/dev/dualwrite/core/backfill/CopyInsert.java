package dev.dualwrite.core.backfill;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.dualwrite.core.backfill.PostgresBatchWriter.PreparedRow;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.util.Assert;

/**
 * Inserts rows with {@code COPY ... FROM STDIN} (text format) straight into the table: no
 * parse, plan and bind of thousands of parameters, and none of the per-row conflict handling
 * of {@code INSERT ... ON CONFLICT}. COPY cannot skip rows that exist, so it is only given
 * rows found absent under the batch's advisory locks (see {@link PostgresBatchWriter}): a
 * library writer of one of those keys waits for the locks, and a row that anything else
 * inserted meanwhile makes the COPY fail on the primary key, after which the batch is written
 * row by row with {@code ON CONFLICT DO NOTHING}.
 */
final class CopyInsert {

    private final String copySql;

    private final CopyText.Kind[] kinds;

    private CopyInsert(String table, String columnList, CopyText.Kind[] kinds) {
        this.kinds = kinds;
        this.copySql = "copy " + table + " (" + columnList + ") from stdin";
    }

    /**
     * Prepare COPY for a table, if the driver and every column's type allow it.
     * @param columnNames the mapped columns, unquoted, in insert order
     * @return the copy, or the reason it cannot be used
     */
    static Object create(JdbcOperations jdbc, String table, String columnList, List<String> columnNames) {
        if (!org.springframework.util.ClassUtils.isPresent("org.postgresql.PGConnection",
                CopyInsert.class.getClassLoader())) {
            return "the PostgreSQL JDBC driver is not on the class path";
        }
        Map<String, String> types = new HashMap<>();
        jdbc.query("select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a "
                + "where a.attrelid = to_regclass(?) and a.attnum > 0 and not a.attisdropped",
                (ResultSet rs) -> {
                    types.put(rs.getString(1), rs.getString(2));
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
        return new CopyInsert(table, columnList, kinds);
    }

    /**
     * Insert rows; to be called inside the batch's transaction, after its locks, with rows
     * found absent under them, each key once.
     * @param jdbc operations of the transaction's data source
     * @return whether the rows were written; {@code false} when a value cannot be written in
     * COPY's text form (nothing was written; use the multi-row statement)
     */
    boolean insert(JdbcOperations jdbc, List<PreparedRow<?>> rows) {
        byte[] data = encode(rows);
        if (data == null) {
            return false;
        }
        jdbc.execute((ConnectionCallback<Void>) (connection) -> {
            copy(connection, data);
            return null;
        });
        return true;
    }

    private void copy(Connection connection, byte[] data) throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(this.copySql);
        try {
            copy.writeToCopy(data, 0, data.length);
            copy.endCopy();
        }
        finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private byte @Nullable [] encode(List<PreparedRow<?>> rows) {
        StringBuilder text = new StringBuilder(rows.size() * 1024);
        for (PreparedRow<?> row : rows) {
            Object[] values = row.values();
            Assert.state(values != null, "row not prepared for the fast path");
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    text.append('\t');
                }
                if (!CopyText.append(text, this.kinds[i], values[i])) {
                    return null;
                }
            }
            text.append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

}
