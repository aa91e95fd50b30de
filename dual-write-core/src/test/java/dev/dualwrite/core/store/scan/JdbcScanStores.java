package dev.dualwrite.core.store.scan;

import java.util.List;

import javax.sql.DataSource;

import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.data.jdbc.core.convert.DataAccessStrategy;
import org.springframework.data.jdbc.core.convert.DelegatingDataAccessStrategy;
import org.springframework.data.jdbc.core.convert.JdbcConverter;
import org.springframework.data.jdbc.core.convert.JdbcCustomConversions;
import org.springframework.data.jdbc.core.convert.QueryMappingConfiguration;
import org.springframework.data.jdbc.core.dialect.JdbcDialect;
import org.springframework.data.jdbc.core.mapping.JdbcMappingContext;
import org.springframework.data.jdbc.repository.config.JdbcConfiguration;
import org.springframework.data.relational.RelationalManagedTypes;
import org.springframework.data.relational.core.mapping.DefaultNamingStrategy;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;

/**
 * An old store kept in a database, wired as an application's Spring Data JDBC configuration
 * would wire it for a second {@code DataSource}, and the keyset scanner over one of its entity
 * types.
 */
final class JdbcScanStores {

    private JdbcScanStores() {
    }

    static JdbcAggregateTemplate aggregates(DataSource dataSource, JdbcDialect dialect) {
        JdbcCustomConversions conversions = JdbcConfiguration.createCustomConversions(dialect, List.of());
        JdbcMappingContext mappingContext = JdbcConfiguration.createMappingContext(RelationalManagedTypes.empty(),
                conversions, DefaultNamingStrategy.INSTANCE);
        NamedParameterJdbcTemplate jdbc = new NamedParameterJdbcTemplate(dataSource);
        DelegatingDataAccessStrategy relations = new DelegatingDataAccessStrategy();
        JdbcConverter converter = JdbcConfiguration.createConverter(mappingContext, jdbc, relations, conversions,
                dialect);
        DataAccessStrategy access = JdbcConfiguration.createDataAccessStrategy(jdbc, converter,
                QueryMappingConfiguration.EMPTY, dialect);
        relations.setDelegate(access);
        return new JdbcAggregateTemplate(converter, access);
    }

    static <R, ID> JdbcKeysetScanner<R, ID> scanner(Class<R> entityType, Class<ID> idType, DataSource dataSource,
            JdbcDialect dialect) {
        return new JdbcKeysetScanner<>(entityType, idType, aggregates(dataSource, dialect),
                new JdbcTemplate(dataSource), dialect, new JdbcTransactionManager(dataSource));
    }

}
