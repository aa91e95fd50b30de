package dev.dualwrite.core.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.List;

import org.springframework.core.convert.converter.Converter;
import org.springframework.data.convert.ReadingConverter;
import org.springframework.data.jdbc.core.dialect.JdbcDialect;
import org.springframework.data.relational.core.dialect.AbstractDialect;
import org.springframework.data.relational.core.dialect.LimitClause;
import org.springframework.data.relational.core.dialect.LockClause;
import org.springframework.data.relational.core.sql.IdentifierProcessing;
import org.springframework.data.relational.core.sql.IdentifierProcessing.LetterCasing;
import org.springframework.data.relational.core.sql.IdentifierProcessing.Quoting;
import org.springframework.data.relational.core.sql.LockOptions;

/**
 * A Spring Data JDBC dialect for SQLite, which Spring Data JDBC does not ship, for the
 * repositories and {@code JdbcAggregateTemplate} of an old store kept in a SQLite file (the
 * SQLite-to-PostgreSQL migration). SQLite takes ANSI-quoted identifiers as written, and
 * {@code LIMIT}/{@code OFFSET} rather than ANSI's {@code FETCH FIRST}; it has no row locks (a
 * write transaction locks the whole database), so a lock clause renders as nothing.
 * <p>
 * <b>Dates.</b> Spring Data JDBC writes a date or time as a {@link Timestamp}, which the
 * SQLite driver stores as epoch milliseconds (its default date class) and reads back as a
 * {@code Long}: the dialect's reading converters turn that back into an {@link Instant},
 * a {@link LocalDateTime} or a {@link LocalDate} (the last two in the JVM's time zone, as
 * {@code Timestamp} wrote them). A file whose dates are stored as ISO-8601 text, as many
 * SQLite applications store them, needs reading converters of its own (a dialect of the
 * application's, or custom conversions).
 */
public final class SqliteDialect extends AbstractDialect implements JdbcDialect {

    /** The dialect; it has no state. */
    public static final SqliteDialect INSTANCE = new SqliteDialect();

    private static final IdentifierProcessing QUOTED_AS_IS = IdentifierProcessing.create(Quoting.ANSI,
            LetterCasing.AS_IS);

    private static final LimitClause LIMIT = new LimitClause() {

        @Override
        public String getLimit(long limit) {
            return "LIMIT " + limit;
        }

        // SQLite takes OFFSET only after a LIMIT; a negative one means none.
        @Override
        public String getOffset(long offset) {
            return "LIMIT -1 OFFSET " + offset;
        }

        @Override
        public String getLimitOffset(long limit, long offset) {
            return "LIMIT " + limit + " OFFSET " + offset;
        }

        @Override
        public Position getClausePosition() {
            return Position.AFTER_ORDER_BY;
        }

    };

    private static final LockClause NO_LOCK = new LockClause() {

        @Override
        public String getLock(LockOptions lockOptions) {
            return "";
        }

        @Override
        public Position getClausePosition() {
            return Position.AFTER_ORDER_BY;
        }

    };

    private SqliteDialect() {
    }

    @Override
    public Collection<Object> getConverters() {
        return List.of(EpochMillisToInstant.INSTANCE, EpochMillisToLocalDateTime.INSTANCE,
                EpochMillisToLocalDate.INSTANCE);
    }

    @Override
    public String getName() {
        return "SQLite";
    }

    @Override
    public IdentifierProcessing getIdentifierProcessing() {
        return QUOTED_AS_IS;
    }

    @Override
    public LimitClause limit() {
        return LIMIT;
    }

    @Override
    public LockClause lock() {
        return NO_LOCK;
    }

    @ReadingConverter
    enum EpochMillisToInstant implements Converter<Long, Instant> {

        INSTANCE;

        @Override
        public Instant convert(Long millis) {
            return Instant.ofEpochMilli(millis);
        }

    }

    // As Spring Data JDBC wrote it: Timestamp.valueOf(LocalDateTime), in the JVM's zone.
    @ReadingConverter
    enum EpochMillisToLocalDateTime implements Converter<Long, LocalDateTime> {

        INSTANCE;

        @Override
        public LocalDateTime convert(Long millis) {
            return new Timestamp(millis).toLocalDateTime();
        }

    }

    @ReadingConverter
    enum EpochMillisToLocalDate implements Converter<Long, LocalDate> {

        INSTANCE;

        @Override
        public LocalDate convert(Long millis) {
            return new Timestamp(millis).toLocalDateTime().toLocalDate();
        }

    }

}
