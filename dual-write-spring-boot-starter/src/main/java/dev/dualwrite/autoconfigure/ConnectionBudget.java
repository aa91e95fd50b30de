package dev.dualwrite.autoconfigure;

import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.ClassUtils;

/**
 * The share of the application's PostgreSQL connections that secondary writes may hold:
 * every secondary write and every repair holds one connection (the key's lock is a
 * transaction-scoped advisory lock) while it runs. Sized from the maximum pool size of a
 * Hikari DataSource (found through wrappers too), so that hung secondary writes and the
 * reconciler together leave connections for the primary writes; settings or pools too small
 * for that are warned about at startup. Other library work (shadow reads, the verifier, the
 * backfill, the control plane) uses connections of the same pool and is not counted here.
 */
final class ConnectionBudget {

    /** Secondary write threads when the pool size of the DataSource is unknown. */
    static final int DEFAULT_SECONDARY_THREADS = 5;

    /** Connections the reconciler holds at most: it repairs one key at a time. */
    static final int RECONCILER_CONNECTIONS = 1;

    private static final Logger logger = LoggerFactory.getLogger(DualWriteAutoConfiguration.class);

    private static final boolean hikariPresent = ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource",
            ConnectionBudget.class.getClassLoader());

    private final @Nullable Integer maximumPoolSize;

    private ConnectionBudget(@Nullable Integer maximumPoolSize) {
        this.maximumPoolSize = maximumPoolSize;
    }

    static ConnectionBudget of(DataSource dataSource) {
        return new ConnectionBudget(hikariPresent ? Hikari.maximumPoolSize(dataSource) : null);
    }

    /**
     * Return the number of secondary write threads: the configured number, or half the
     * connection pool (at least one), or {@link #DEFAULT_SECONDARY_THREADS} when the pool
     * size is unknown.
     * @param configured {@code dual-write.secondary.pool-size}, if set
     * @return the number of threads
     */
    int secondaryThreads(@Nullable Integer configured) {
        if (configured != null) {
            return configured;
        }
        return (this.maximumPoolSize != null) ? safeSecondaryThreads(this.maximumPoolSize) : DEFAULT_SECONDARY_THREADS;
    }

    /**
     * Log a warning, once at startup, when secondary writes and the reconciler together could
     * hold every connection of the pool: a hung secondary would then stall primary writes.
     * @param configured {@code dual-write.secondary.pool-size}, if set
     */
    void warnWhenSecondaryCanStarvePrimary(@Nullable Integer configured) {
        if (this.maximumPoolSize == null) {
            logger.info("dual-write: secondary writes run on {} thread(s), each holding a PostgreSQL connection while "
                    + "it runs, plus {} for the reconciler; the DataSource is not a Hikari pool, so make sure it "
                    + "allows well more connections than that (dual-write.secondary.pool-size)",
                    secondaryThreads(configured), RECONCILER_CONNECTIONS);
            return;
        }
        int held = secondaryThreads(configured) + RECONCILER_CONNECTIONS;
        if (held < this.maximumPoolSize) {
            return;
        }
        if (safeSecondaryThreads(this.maximumPoolSize) + RECONCILER_CONNECTIONS >= this.maximumPoolSize) {
            // A pool of 2 or fewer: even the default share leaves no connection, only a larger
            // pool helps.
            logger.warn("dual-write: {} secondary write thread(s) plus the reconciler can hold {} PostgreSQL "
                    + "connections, the whole pool (spring.datasource.hikari.maximum-pool-size={}): a hung secondary "
                    + "store could then stall primary writes. Raise the maximum pool size to at least {}.",
                    secondaryThreads(configured), held, this.maximumPoolSize, held + 1);
        }
        else {
            logger.warn("dual-write: dual-write.secondary.pool-size={} secondary write threads plus the reconciler can "
                    + "hold {} PostgreSQL connections, the whole pool (spring.datasource.hikari.maximum-pool-size={}): "
                    + "a hung secondary store could then stall primary writes. Set dual-write.secondary.pool-size to "
                    + "at most {} (half the pool), or leave it unset to get that.", secondaryThreads(configured), held,
                    this.maximumPoolSize, safeSecondaryThreads(this.maximumPoolSize));
        }
    }

    private static int safeSecondaryThreads(int maximumPoolSize) {
        return Math.max(1, maximumPoolSize / 2);
    }

    // Only loaded when HikariCP is on the class path.
    private static final class Hikari {

        static @Nullable Integer maximumPoolSize(DataSource dataSource) {
            if (dataSource instanceof HikariDataSource hikari) {
                return hikari.getMaximumPoolSize();
            }
            try {
                if (dataSource.isWrapperFor(HikariDataSource.class)) {
                    return dataSource.unwrap(HikariDataSource.class).getMaximumPoolSize();
                }
            }
            catch (SQLException | RuntimeException ex) {
                // A wrapper that cannot tell: the size stays unknown.
            }
            return null;
        }

    }

}
