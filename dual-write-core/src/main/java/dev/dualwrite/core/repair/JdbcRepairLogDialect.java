package dev.dualwrite.core.repair;

import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * The SQL of a {@link JdbcRepairLog} that differs between the databases it supports: the
 * database's clock in epoch millis, how claims and promotions pick rows that concurrent
 * reconcilers may be picking too, and how to find the log's tables in the catalogue. Everything
 * else is SQL both accept (including {@code with ... as materialized}, SQLite 3.35 and later).
 */
final class JdbcRepairLogDialect {

    // SQLite 3.35 added RETURNING, 3.38 unixepoch(), 3.42 its 'subsec' modifier.
    private static final List<Integer> SQLITE_MINIMUM = List.of(3, 42);

    private final String name;

    private final String nowMillis;

    private final String skipLocked;

    private final @Nullable String schemaLock;

    private JdbcRepairLogDialect(String name, String nowMillis, String skipLocked, @Nullable String schemaLock) {
        this.name = name;
        this.nowMillis = nowMillis;
        this.skipLocked = skipLocked;
        this.schemaLock = schemaLock;
    }

    /**
     * Return the dialect of a database product, as its driver names it.
     * @param product {@code DatabaseMetaData.getDatabaseProductName()}
     * @param version {@code DatabaseMetaData.getDatabaseProductVersion()}
     * @return the dialect
     * @throws IllegalStateException when the product is neither PostgreSQL nor SQLite 3.42+
     */
    static JdbcRepairLogDialect of(String product, String version) {
        String lower = product.toLowerCase(Locale.ROOT);
        if (lower.equals("postgresql")) {
            // statement_timestamp(): one time for the whole statement, as Redis's TIME is one
            // time for a whole script, so a record's first and last times are equal at insert.
            // Claims skip rows another reconciler is claiming instead of waiting for them. The
            // schema's DDL takes a transaction-scoped advisory lock: two instances creating the
            // tables at once would otherwise race on PostgreSQL's catalogue.
            return new JdbcRepairLogDialect("PostgreSQL",
                    "cast(floor(extract(epoch from statement_timestamp()) * 1000) as bigint)",
                    " for update skip locked", "select pg_advisory_xact_lock(hashtext('dualwrite_source_schema'))");
        }
        if (lower.equals("sqlite")) {
            if (!atLeast(version, SQLITE_MINIMUM)) {
                throw new IllegalStateException("JdbcRepairLog needs SQLite 3.42 or later (RETURNING, "
                        + "unixepoch('subsec')), the database is SQLite " + version + ": use a newer driver");
            }
            // SQLite runs one writer at a time: a claim is a single UPDATE ... RETURNING, which
            // no other claim can interleave with. 'now' is one time for the whole statement.
            return new JdbcRepairLogDialect("SQLite", "cast(unixepoch('subsec') * 1000 as integer)", "", null);
        }
        throw new IllegalStateException("JdbcRepairLog supports PostgreSQL and SQLite, not " + product + " "
                + version + ": declare an OldStoreRepairLog bean of your own for this database");
    }

    private static boolean atLeast(String version, List<Integer> minimum) {
        String[] parts = version.split("[^0-9]+");
        for (int i = 0; i < minimum.size(); i++) {
            int part = (i < parts.length && !parts[i].isEmpty()) ? Integer.parseInt(parts[i]) : 0;
            if (part != minimum.get(i)) {
                return part > minimum.get(i);
            }
        }
        return true;
    }

    /** Return the product's name, for messages. */
    String name() {
        return this.name;
    }

    /** Return an SQL expression of the database's current time in epoch millis. */
    String nowMillis() {
        return this.nowMillis;
    }

    /** Return what follows a select of rows to claim: skip rows other transactions hold. */
    String skipLocked() {
        return this.skipLocked;
    }

    /**
     * Return a query of how many of the named tables and indexes exist where the connection's
     * unqualified {@code create} statements put them.
     * @param names table and index names: constants of the log, never user input
     * @return the query, answering one number
     */
    String countExisting(List<String> names) {
        StringBuilder quoted = new StringBuilder();
        for (String name : names) {
            Assert.isTrue(name.matches("[a-z_]+"), () -> "not a plain name: " + name);
            quoted.append((quoted.length() > 0) ? ", " : "").append('\'').append(name).append('\'');
        }
        if (this.name.equals("PostgreSQL")) {
            // In the current schema, the first of the search path, where CREATE puts them:
            // to_regclass of the bare name would find them in any schema of the path.
            return "select count(*) from unnest(array[" + quoted + "]) as object(name) "
                    + "where to_regclass(quote_ident(current_schema()) || '.' || name) is not null";
        }
        return "select count(*) from sqlite_master where type in ('table', 'index') and name in (" + quoted + ")";
    }

    /** Return a statement serialising schema creation across instances, if one is needed. */
    @Nullable String schemaLock() {
        return this.schemaLock;
    }

}
