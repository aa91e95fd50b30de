package dev.dualwrite.core.backfill;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.dualwrite.core.backfill.PostgresBatchWriter.PreparedRow;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.util.Assert;

/**
 * Inserts a batch by streaming it with {@code COPY} into a session-private staging table, then
 * {@code INSERT INTO <table> SELECT ... FROM <stage> ON CONFLICT (id) DO NOTHING RETURNING id}:
 * the same insert-if-absent as the multi-row statement, under the same locks, but without
 * the parse, plan and bind of thousands of parameters (see {@code docs/backfill.md}).
 * <p>
 * The staging table is a temporary table ({@code ON COMMIT DELETE ROWS}), created on first use
 * in each session from the target table's columns, so it costs no WAL and is emptied by the
 * commit of every batch.
 */
final class StagedCopy {

    private final JdbcOperations jdbc;

    private final String stage;

    private final String createStage;

    private final String copySql;

    private final String insertSql;

    private final CopyText.Kind[] kinds;

    private StagedCopy(JdbcOperations jdbc, String table, String idColumn, String columnList, CopyText.Kind[] kinds) {
        this.jdbc = jdbc;
        this.kinds = kinds;
        // A name derived from the table's, so that each table has its own stage in a session.
        this.stage = "\"dualwrite_stage_" + Integer.toHexString(table.hashCode()) + "\"";
        this.createStage = "create temporary table if not exists " + this.stage + " on commit delete rows as select "
                + columnList + " from " + table + " with no data";
        this.copySql = "copy " + this.stage + " (" + columnList + ") from stdin";
        this.insertSql = "insert into " + table + " (" + columnList + ") select " + columnList + " from " + this.stage
                + " on conflict (" + idColumn + ") do nothing returning " + idColumn;
    }

    /**
     * Prepare COPY for a table, if the driver and every column's type allow it.
     * @param columnNames the mapped columns, unquoted, in insert order
     * @return the staged copy, or the reason it cannot be used
     */
    static Object create(JdbcOperations jdbc, String table, String idColumn, String columnList,
            List<String> columnNames) {
        if (!org.springframework.util.ClassUtils.isPresent("org.postgresql.PGConnection",
                StagedCopy.class.getClassLoader())) {
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
        return new StagedCopy(jdbc, table, idColumn, columnList, kinds);
    }

    /**
     * Insert the absent rows of a batch; to be called inside the batch's transaction, after
     * its locks.
     * @return the keys of the rows inserted, or {@code null} when a value cannot be written in
     * COPY's text form (nothing was written; use the multi-row statement)
     */
    @Nullable Set<String> insert(List<PreparedRow<?>> rows) {
        byte[] data = encode(rows);
        if (data == null) {
            return null;
        }
        Map<String, String> keyById = new HashMap<>();
        rows.forEach((row) -> keyById.put(String.valueOf(row.jdbcId()), row.key()));
        Set<String> inserted = new HashSet<>();
        this.jdbc.execute((ConnectionCallback<Void>) (connection) -> {
            try (PreparedStatement create = connection.prepareStatement(this.createStage)) {
                create.execute();
            }
            copy(connection, data);
            try (PreparedStatement insert = connection.prepareStatement(this.insertSql);
                    ResultSet rs = insert.executeQuery()) {
                while (rs.next()) {
                    String key = keyById.get(String.valueOf(rs.getObject(1)));
                    if (key != null) {
                        inserted.add(key);
                    }
                }
            }
            return null;
        });
        return inserted;
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
