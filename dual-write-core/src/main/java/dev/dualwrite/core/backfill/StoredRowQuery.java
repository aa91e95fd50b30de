package dev.dualwrite.core.backfill;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The verifier's query over a batch ({@link CopyInsert#absentOrDiffering}): which rows the
 * table lacks, or holds with a stored value that may differ from the mapped one as the
 * verifier's field-by-field comparison sees it. It may name rows that agree (they are then
 * compared in full), never the reverse for the types it is made for, so it is stricter than
 * the catch-up's look at present rows:
 * <ul>
 * <li>each value is read by its type's input function <em>without</em> the column's modifier,
 * so a value the column rounds or truncates ({@code numeric(10,2)}, {@code timestamp(3)},
 * {@code varchar(5)}) differs from what the column stores;</li>
 * <li>text types are compared as text, exactly (a {@code citext} column too, case
 * included);</li>
 * <li>{@code json}, and {@code jsonb} holding a {@code String} property, are compared as the
 * text written with the text PostgreSQL returns; {@code jsonb} holding a converted object is
 * compared as JSON values (key order and spacing do not count, as they do not once decoded);</li>
 * <li>a table with a column of another type ({@code char(n)}, which pads; {@code real} and
 * {@code double precision}, which round), or an entity with a persistent property the insert
 * does not write, gets no query: every row is compared in full.</li>
 * </ul>
 */
final class StoredRowQuery {

    private StoredRowQuery() {
    }

    /**
     * Build the query, one {@code text[]} parameter per column ({@link CopyInsert#overBatch}).
     * @param baseTypes each column's type without its modifier, as {@code format_type} spells it
     * @param stringProperties for each column, whether its property is a {@code String}
     * @param everyPropertyWritten whether the insert writes every persistent property
     * @return the query, or why this table's rows are to be compared field by field
     */
    static Query build(String table, String idColumn, List<String> quotedColumns, int idIndex,
            List<String> columnNames, Map<String, String> baseTypes, boolean[] stringProperties,
            boolean everyPropertyWritten) {
        if (!everyPropertyWritten) {
            return Query.none("a persistent property is read-only, so its column is not compared");
        }
        String idType = baseTypes.get(columnNames.get(idIndex));
        if (idType.equals("character")) {
            return Query.none("the id column is char(n), which pads");
        }
        List<String> differs = new ArrayList<>();
        differs.add("t." + idColumn + " is null");
        for (int i = 0; i < columnNames.size(); i++) {
            if (i != idIndex) {
                String type = baseTypes.get(columnNames.get(i)).toLowerCase(Locale.ROOT);
                String comparison = comparison("t." + quotedColumns.get(i), "k.c" + i, type, stringProperties[i]);
                if (comparison == null) {
                    return Query.none("column '" + columnNames.get(i) + "' has type " + type
                            + ", which the query does not compare");
                }
                differs.add(comparison);
            }
        }
        return new Query(CopyInsert.overBatch(table, idColumn, idIndex, idType, columnNames.size(), true, differs),
                null);
    }

    // How a stored column differs from a value sent as text, or null when the query is not
    // made for its type.
    private static @Nullable String comparison(String stored, String sent, String type, boolean stringProperty) {
        return switch (type) {
            case "text", "character varying", "citext" ->
                stored + "::text is distinct from (" + sent + "::" + type + ")::text";
            case "json" -> stored + "::text is distinct from " + sent;
            case "jsonb" -> stringProperty ? stored + "::text is distinct from " + sent
                    : stored + " is distinct from " + sent + "::jsonb";
            case "smallint", "integer", "bigint", "numeric", "boolean", "uuid", "timestamp with time zone",
                    "timestamp without time zone", "date", "bytea" ->
                stored + " is distinct from " + sent + "::" + type;
            default -> null;
        };
    }

    /**
     * The verifier's query of a table, or why there is none.
     * @param sql the query, {@code null} when there is none
     * @param whyNone why there is none, {@code null} when there is one
     */
    record Query(@Nullable String sql, @Nullable String whyNone) {

        static Query none(String why) {
            return new Query(null, why);
        }

    }

}
