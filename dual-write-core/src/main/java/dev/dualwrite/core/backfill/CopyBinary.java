package dev.dualwrite.core.backfill;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.postgresql.util.PGobject;

/**
 * Writes JDBC values (as the application's {@code JdbcConverter} produced them) in
 * PostgreSQL's binary {@code COPY} format, for the column types whose binary form is simple
 * and fixed: the server then reads each field with the type's receive function instead of
 * parsing text, and the writers skip formatting timestamps and numbers as text. It accepts
 * the value classes {@link CopyText} accepts for the same column and stores what the driver's
 * binding stores (rounding timestamps to the microsecond half up, as the driver does); a value
 * it cannot write (an integer too large for its column, a date or time beyond what PostgreSQL
 * counts) makes it answer {@code false}, and the batch goes as text instead, where PostgreSQL's
 * error names the value. Where text COPY cannot spell a value PostgreSQL holds (years before 1
 * or after 9999), binary stores it as the driver would.
 * A table with a column of another type ({@code numeric}, {@code real}, {@code citext}, ...)
 * is copied as text.
 */
final class CopyBinary {

    // PostgreSQL counts timestamps from 2000-01-01 00:00 UTC, dates from 2000-01-01.
    private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;

    private static final long POSTGRES_EPOCH_DAYS = LocalDate.of(2000, 1, 1).toEpochDay();

    /** The column kinds the binary form is written for. */
    enum Kind {

        TEXT, INT2, INT4, INT8, BOOLEAN, JSON, JSONB, UUID, TIMESTAMPTZ, TIMESTAMP, DATE, BYTEA;

        /**
         * Classify a column by its PostgreSQL type, as {@code format_type} spells it.
         * @return the kind, or {@code null} when the type is not written in binary
         */
        static @Nullable Kind of(String type) {
            // Within the types text COPY is written for: the same column kinds, split where the
            // binary form differs (integer widths, json and jsonb), less those whose binary form
            // is not fixed (numeric, real, double precision) or belongs to an extension (citext).
            CopyText.Kind text = CopyText.Kind.of(type);
            if (text == null) {
                return null;
            }
            String t = type.toLowerCase(Locale.ROOT);
            return switch (text) {
                case TEXT -> t.equals("citext") ? null : TEXT;
                case NUMBER -> switch (t) {
                    case "smallint" -> INT2;
                    case "integer" -> INT4;
                    case "bigint" -> INT8;
                    default -> null;
                };
                case JSON -> t.equals("jsonb") ? JSONB : JSON;
                case BOOLEAN -> BOOLEAN;
                case UUID -> UUID;
                case TIMESTAMPTZ -> TIMESTAMPTZ;
                case TIMESTAMP -> TIMESTAMP;
                case DATE -> DATE;
                case BYTEA -> BYTEA;
            };
        }

    }

    private CopyBinary() {
    }

    /**
     * Append one field.
     * @return {@code false} when the value's class is not one this column kind is written for,
     * or a number does not fit the column (nothing is appended then; text COPY reports it)
     */
    static boolean append(CopyRows out, Kind kind, @Nullable Object value) {
        if (value == null) {
            out.binaryNull();
            return true;
        }
        try {
            return appendValue(out, kind, value);
        }
        catch (ArithmeticException | DateTimeException ex) {
            // A timestamp or date beyond what a long or an Instant counts: nothing was appended.
            return false;
        }
    }

    private static boolean appendValue(CopyRows out, Kind kind, Object value) {
        switch (kind) {
            case TEXT:
                return (value instanceof String string) && bytes(out, string.getBytes(StandardCharsets.UTF_8));
            case INT2:
                Long int2 = integer(value, Short.MIN_VALUE, Short.MAX_VALUE);
                return (int2 != null) && out.binaryShort(int2.shortValue());
            case INT4:
                Long int4 = integer(value, Integer.MIN_VALUE, Integer.MAX_VALUE);
                return (int4 != null) && out.binaryInt(int4.intValue());
            case INT8:
                Long int8 = integer(value, Long.MIN_VALUE, Long.MAX_VALUE);
                return (int8 != null) && out.binaryLong(int8);
            case BOOLEAN:
                return (value instanceof Boolean bool) && bytes(out, new byte[] { (byte) (bool ? 1 : 0) });
            case JSON:
                // Only what the driver would bind as JSON (see CopyText).
                return (value instanceof PGobject json && json.getValue() != null)
                        && bytes(out, json.getValue().getBytes(StandardCharsets.UTF_8));
            case JSONB:
                // jsonb's binary form: a version byte (1), then the JSON text.
                return (value instanceof PGobject jsonb && jsonb.getValue() != null)
                        && out.binaryVersioned((byte) 1, jsonb.getValue().getBytes(StandardCharsets.UTF_8));
            case UUID:
                return (value instanceof UUID uuid) && out.binaryUuid(uuid);
            case TIMESTAMPTZ:
                Instant instant = instant(value);
                return (instant != null) && finite(micros(instant)) && out.binaryLong(micros(instant));
            case TIMESTAMP:
                LocalDateTime time = localDateTime(value);
                long local = (time != null) ? micros(time.toInstant(ZoneOffset.UTC)) : 0;
                return (time != null) && finite(local) && out.binaryLong(local);
            case DATE:
                LocalDate date = localDate(value);
                int days = (date != null) ? Math.toIntExact(date.toEpochDay() - POSTGRES_EPOCH_DAYS) : 0;
                return (date != null) && days != Integer.MIN_VALUE && days != Integer.MAX_VALUE
                        && out.binaryInt(days);
            case BYTEA:
                return (value instanceof byte[] bytes) && bytes(out, bytes);
            default:
                return false;
        }
    }

    // The binary form reads the extreme values as -infinity and infinity: never sent for a value.
    private static boolean finite(long micros) {
        return micros != Long.MIN_VALUE && micros != Long.MAX_VALUE;
    }

    private static boolean bytes(CopyRows out, byte[] bytes) {
        out.binaryField(bytes);
        return true;
    }

    // The integer classes CopyText writes for a number column, when the value fits.
    private static @Nullable Long integer(Object value, long min, long max) {
        long number;
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            number = ((Number) value).longValue();
        }
        else if (value instanceof BigInteger big && big.bitLength() < 64) {
            number = big.longValue();
        }
        else {
            return null;
        }
        return (number >= min && number <= max) ? number : null;
    }

    // The same instants CopyText writes for a timestamptz column.
    private static @Nullable Instant instant(Object value) {
        return (value instanceof Timestamp ts) ? ts.toInstant() : (value instanceof Instant instant) ? instant
                : (value instanceof OffsetDateTime odt) ? odt.toInstant()
                : (value instanceof ZonedDateTime zdt) ? zdt.toInstant() : null;
    }

    private static @Nullable LocalDateTime localDateTime(Object value) {
        return (value instanceof Timestamp ts) ? ts.toLocalDateTime()
                : (value instanceof LocalDateTime ldt) ? ldt : null;
    }

    private static @Nullable LocalDate localDate(Object value) {
        return (value instanceof java.sql.Date date) ? date.toLocalDate() : (value instanceof LocalDate date) ? date
                : (value instanceof Timestamp ts) ? ts.toLocalDateTime().toLocalDate() : null;
    }

    // Microseconds since PostgreSQL's epoch, rounded half up as the driver rounds (and as
    // CopyText writes them).
    private static long micros(Instant instant) {
        Instant rounded = instant.plusNanos(500).truncatedTo(ChronoUnit.MICROS);
        return Math.addExact(Math.multiplyExact(rounded.getEpochSecond() - POSTGRES_EPOCH_SECONDS, 1_000_000L),
                rounded.getNano() / 1_000);
    }

}
