package dev.dualwrite.core.backfill;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.dao.DataAccessResourceFailureException;

/**
 * Keeps two runs of one repository's backfill (on this instance or another, sharing the
 * library's tables) from running at once: a session-level advisory lock held on a connection of its own for the whole run. A
 * killed process loses its connection and with it the lock, so a crashed run never blocks the
 * next one.
 */
final class RunLock implements AutoCloseable {

    // Advisory locks are database-wide; the schema of the library's tables (where unqualified
    // names resolve) is part of the name, so services with tables of their own in other
    // schemas of one database never hold each other's runs.
    private static final String LOCK = "select pg_try_advisory_lock(hashtextextended(current_schema() || ?, 0))";

    // Workers of a partitioned run share the lock with each other, and exclude (and are
    // excluded by) a run that is not partitioned.
    private static final String LOCK_SHARED = "select pg_try_advisory_lock_shared(hashtextextended(current_schema() "
            + "|| ?, 0))";

    private final Connection connection;

    private RunLock(Connection connection) {
        this.connection = connection;
    }

    /**
     * Take the lock of a repository's run.
     * @param shared whether for a worker of a partitioned run, which shares it with the others
     */
    static RunLock acquire(DataSource dataSource, String repository, boolean shared) {
        Connection connection = null;
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(true);
            try (PreparedStatement statement = connection.prepareStatement(shared ? LOCK_SHARED : LOCK)) {
                statement.setString(1, ":dualwrite-backfill:" + repository);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        throw new IllegalStateException("A backfill of repository '" + repository + "' is already "
                                + (shared ? "running unpartitioned" : "running") + " (on this or another instance)"
                                + "; wait for it, or stop it first");
                    }
                }
            }
            return new RunLock(connection);
        }
        catch (SQLException ex) {
            closeQuietly(connection);
            throw new DataAccessResourceFailureException("Cannot take the backfill lock of repository '" + repository
                    + "' in PostgreSQL: " + ex.getMessage(), ex);
        }
        catch (RuntimeException ex) {
            closeQuietly(connection);
            throw ex;
        }
    }

    @Override
    public void close() {
        // Closing (or returning to the pool) must not keep the lock: unlock explicitly first.
        try (PreparedStatement statement = this.connection.prepareStatement("select pg_advisory_unlock_all()")) {
            statement.execute();
        }
        catch (SQLException ex) {
            // The connection is gone, and the lock with it.
        }
        closeQuietly(this.connection);
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            }
            catch (SQLException ex) {
                // nothing to do
            }
        }
    }

}
