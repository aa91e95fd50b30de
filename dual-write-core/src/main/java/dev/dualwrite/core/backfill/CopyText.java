package dev.dualwrite.core.backfill;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.postgresql.util.PGobject;

/**
 * Writes JDBC values (as the application's {@code JdbcConverter} produced them) in
 * PostgreSQL's {@code COPY ... FROM STDIN} text format, for the column types whose text form
 * is unambiguous. A value it cannot write faithfully makes it answer {@code false}, and the
 * batch then goes through the multi-row {@code INSERT} with bound parameters instead, so no
 * value is ever written differently from how the driver would bind it.
 */
final class CopyText {

    /** The column kinds the text form is written for; anything else disables COPY for the table. */
    enum Kind {

        TEXT, NUMBER, BOOLEAN, JSON, UUID, TIMESTAMPTZ, TIMESTAMP, DATE, BYTEA;

        /**
         * Classify a column by its PostgreSQL type, as {@code format_type} spells it.
         * @return the kind, or {@code null} when the type is not supported
         */
        static @Nullable Kind of(String type) {
            String t = type.toLowerCase(Locale.ROOT);
            if (t.equals("text") || t.startsWith("character varying") || t.startsWith("character(")
                    || t.equals("character") || t.equals("citext")) {
                return TEXT;
            }
            if (t.equals("smallint") || t.equals("integer") || t.equals("bigint") || t.startsWith("numeric")
                    || t.equals("real") || t.equals("double precision")) {
                return NUMBER;
            }
            return switch (t) {
                case "boolean" -> BOOLEAN;
                case "json", "jsonb" -> JSON;
                case "uuid" -> UUID;
                case "timestamp with time zone" -> TIMESTAMPTZ;
                case "timestamp without time zone" -> TIMESTAMP;
                case "date" -> DATE;
                case "bytea" -> BYTEA;
                default -> (t.startsWith("timestamp(") && t.endsWith("with time zone")) ? TIMESTAMPTZ
                        : (t.startsWith("timestamp(") && t.endsWith("without time zone")) ? TIMESTAMP : null;
            };
        }

    }

    private CopyText() {
    }

    /**
     * Append one field.
     * @return {@code false} when the value's class is not one this column kind is written for
     */
    static boolean append(CopyRows out, Kind kind, @Nullable Object value) {
        if (value == null) {
            out.nullField();
            return true;
        }
        String text = text(kind, value);
        if (text == null) {
            return false;
        }
        out.field(text);
        return true;
    }

    /**
     * Return a value's text form, unescaped: what PostgreSQL's input function of the column's
     * type reads as the value the driver would bind.
     * @return the text, or {@code null} when the value's class is not one this column kind is
     * written for
     */
    static @Nullable String text(Kind kind, Object value) {
        return switch (kind) {
            case TEXT -> (value instanceof String string) ? string : null;
            case NUMBER -> (value instanceof BigDecimal decimal) ? decimal.toPlainString()
                    : (value instanceof Integer || value instanceof Long || value instanceof Short
                            || value instanceof BigInteger) ? value.toString() : null;
            case BOOLEAN -> (value instanceof Boolean bool) ? (bool ? "t" : "f") : null;
            // Only what the driver would bind as JSON: a String is bound as varchar, which a JSON column refuses.
            case JSON -> (value instanceof PGobject json && json.getValue() != null) ? json.getValue() : null;
            case UUID -> (value instanceof UUID uuid) ? uuid.toString() : null;
            // An instant, written with its offset: the same point in time the driver binds,
            // rounded to microseconds half up as the driver does (the server would round half
            // to even).
            case TIMESTAMPTZ -> (value instanceof Timestamp ts) ? micros(ts.toInstant()).toString()
                    : (value instanceof Instant instant) ? micros(instant).toString()
                    : (value instanceof OffsetDateTime odt) ? micros(odt.toInstant()).toString()
                    : (value instanceof ZonedDateTime zdt) ? micros(zdt.toInstant()).toString() : null;
            // Local date-times, as the driver binds them to a column without time zone.
            case TIMESTAMP -> (value instanceof Timestamp ts) ? micros(ts.toLocalDateTime()).toString()
                    : (value instanceof LocalDateTime ldt) ? micros(ldt).toString() : null;
            // Spring Data JDBC's converter turns a LocalDate into a Timestamp at local midnight;
            // the driver sends it as a local date-time with an offset, of which a date column
            // keeps the local date.
            case DATE -> (value instanceof java.sql.Date date) ? date.toLocalDate().toString()
                    : (value instanceof LocalDate date) ? date.toString()
                    : (value instanceof Timestamp ts) ? ts.toLocalDateTime().toLocalDate().toString() : null;
            case BYTEA -> (value instanceof byte[] bytes) ? hex(bytes) : null;
        };
    }

    private static Instant micros(Instant instant) {
        return instant.plusNanos(500).truncatedTo(ChronoUnit.MICROS);
    }

    private static LocalDateTime micros(LocalDateTime time) {
        return time.plusNanos(500).truncatedTo(ChronoUnit.MICROS);
    }

    private static String hex(byte[] bytes) {
        StringBuilder hex = new StringBuilder(2 + bytes.length * 2).append("\\x");
        for (byte b : bytes) {
            hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return hex.toString();
    }

}
