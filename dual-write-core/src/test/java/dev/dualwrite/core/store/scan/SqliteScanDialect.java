package dev.dualwrite.core.store.scan;

import org.springframework.data.jdbc.core.dialect.JdbcDialect;
import org.springframework.data.relational.core.dialect.AbstractDialect;
import org.springframework.data.relational.core.dialect.LimitClause;
import org.springframework.data.relational.core.dialect.LockClause;
import org.springframework.data.relational.core.sql.IdentifierProcessing;
import org.springframework.data.relational.core.sql.IdentifierProcessing.LetterCasing;
import org.springframework.data.relational.core.sql.IdentifierProcessing.Quoting;
import org.springframework.data.relational.core.sql.LockOptions;

/**
 * Just enough of a SQLite dialect for the keyset scanner's tests (Spring Data JDBC ships none:
 * spring-data-relational #1769): {@code LIMIT}/{@code OFFSET}, no row locks, ANSI quotes.
 */
final class SqliteScanDialect extends AbstractDialect implements JdbcDialect {

    static final SqliteScanDialect INSTANCE = new SqliteScanDialect();

    private static final LimitClause LIMIT = new LimitClause() {

        @Override
        public String getLimit(long limit) {
            return "LIMIT " + limit;
        }

        @Override
        public String getOffset(long offset) {
            // SQLite has no OFFSET without LIMIT; -1 is its "no limit".
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

    // SQLite locks the whole database for a writer: there is no row lock to ask for.
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

    private SqliteScanDialect() {
    }

    @Override
    public LimitClause limit() {
        return LIMIT;
    }

    @Override
    public LockClause lock() {
        return NO_LOCK;
    }

    @Override
    public IdentifierProcessing getIdentifierProcessing() {
        return IdentifierProcessing.create(Quoting.ANSI, LetterCasing.AS_IS);
    }

}
