package dev.dualwrite.core.store.scan;

import javax.sql.DataSource;

import dev.dualwrite.core.store.JdbcOldStore;

import org.springframework.data.jdbc.core.dialect.JdbcDialect;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;

/**
 * An old store kept in a database, wired as an application's Spring Data JDBC configuration
 * would wire it for a second {@code DataSource}, and the keyset scanner over one of its entity
 * types.
 */
final class JdbcScanStores {

    private JdbcScanStores() {
    }

    static <R, ID> JdbcKeysetScanner<R, ID> scanner(Class<R> entityType, Class<ID> idType, DataSource dataSource,
            JdbcDialect dialect) {
        return new JdbcKeysetScanner<>(entityType, idType, JdbcOldStore.aggregates(dataSource, dialect),
                new JdbcTemplate(dataSource), dialect, new JdbcTransactionManager(dataSource));
    }

}
