package dev.dualwrite.contract.jdbc;

import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dualwrite.autoconfigure.source.JdbcSource;
import dev.dualwrite.contract.FailFastRedisClient;
import dev.dualwrite.contract.jdbc.legacy.LegacyItemRepository;
import dev.dualwrite.contract.jdbc.legacy.UpsertingJdbcRepository;
import dev.dualwrite.contract.jdbc.postgres.NewItemRepository;
import dev.dualwrite.core.routing.RepositoryPairing;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Primary;
import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.data.jdbc.core.convert.DataAccessStrategy;
import org.springframework.data.jdbc.core.convert.JdbcConverter;
import org.springframework.data.jdbc.core.convert.JdbcCustomConversions;
import org.springframework.data.jdbc.core.convert.QueryMappingConfiguration;
import org.springframework.data.jdbc.core.dialect.DialectResolver;
import org.springframework.data.jdbc.core.dialect.JdbcDialect;
import org.springframework.data.jdbc.core.mapping.JdbcMappingContext;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.jdbc.repository.config.JdbcConfiguration;
import org.springframework.data.relational.RelationalManagedTypes;
import org.springframework.data.relational.core.mapping.DefaultNamingStrategy;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * A host application whose old store is a Spring Data JDBC repository on an old schema,
 * reached through a second {@code DataSource} ({@code legacy.datasource.*}), and whose new
 * store is a JDBC repository of the same domain type on the primary {@code DataSource}
 * ({@code spring.datasource.*}): paired as {@code jdbc_items} by a {@link RepositoryPairing},
 * the old repository listed by a {@link JdbcSource}.
 * <p>
 * The new store's {@code DataSource} and transaction manager are declared here as the
 * primary ones, so everything that asks for "the" {@code DataSource} (Boot's JDBC and Spring
 * Data JDBC set-up, Flyway, the library) gets the new store's. The old store's beans are no
 * default candidates: only a qualifier reaches them, and Boot's auto-configuration does not
 * back off for them.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableJdbcRepositories(basePackageClasses = NewItemRepository.class)
@Import({ JdbcContractApplication.LegacyStore.class, FailFastRedisClient.class })
public class JdbcContractApplication {

    @Bean
    @Primary
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(DataSourceProperties properties) {
        return properties.initializeDataSourceBuilder().type(HikariDataSource.class).build();
    }

    @Bean
    @Primary
    JdbcTransactionManager transactionManager(DataSource dataSource) {
        return new JdbcTransactionManager(dataSource);
    }

    // Off where a test declares a source of its own over the same old schema.
    @Bean
    @ConditionalOnProperty(name = "contract.jdbc.source", havingValue = "jdbc", matchIfMissing = true)
    JdbcSource legacyItems(@Qualifier("legacyDataSource") DataSource legacy,
            @Qualifier("legacyAggregates") JdbcAggregateOperations aggregates,
            @Qualifier("legacyTransactionManager") PlatformTransactionManager transactionManager) {
        return JdbcSource.of("legacy", legacy, aggregates)
            .repositories(LegacyItemRepository.class)
            .transactionManager(transactionManager);
    }

    // The old repository first, though the accessor is called redisRepository().
    @Bean
    RepositoryPairing<JdbcItem, JdbcItem> jdbcItems() {
        return RepositoryPairing.of("jdbc_items", LegacyItemRepository.class, NewItemRepository.class);
    }

    /**
     * The old schema's Spring Data JDBC set-up, of its own: {@code DataSource}, JDBC
     * operations, dialect, converter, data access strategy, aggregate template and transaction
     * manager. Its repositories are built on the aggregate template
     * ({@code jdbcAggregateOperationsRef}), so they write through exactly the operations the
     * {@link JdbcSource} hands the library; Spring Data JDBC 4 takes that reference instead of
     * {@code jdbcOperationsRef} and {@code dataAccessStrategyRef}, with which it would build
     * the repositories on the primary converter and mapping context.
     * The repositories keep Spring Data JDBC's default transactions.
     */
    @Configuration(proxyBeanMethods = false)
    @EnableJdbcRepositories(basePackageClasses = LegacyItemRepository.class,
            repositoryBaseClass = UpsertingJdbcRepository.class, jdbcAggregateOperationsRef = "legacyAggregates",
            transactionManagerRef = "legacyTransactionManager")
    static class LegacyStore {

        @Bean(defaultCandidate = false)
        @ConfigurationProperties("legacy.datasource")
        HikariDataSource legacyDataSource() {
            return new HikariDataSource();
        }

        @Bean(defaultCandidate = false)
        NamedParameterJdbcTemplate legacyJdbcOperations(@Qualifier("legacyDataSource") DataSource dataSource) {
            return new NamedParameterJdbcTemplate(dataSource);
        }

        @Bean(defaultCandidate = false)
        JdbcDialect legacyDialect(@Qualifier("legacyJdbcOperations") NamedParameterJdbcOperations operations) {
            return DialectResolver.getDialect(operations.getJdbcOperations());
        }

        // Relations are resolved by the data access strategy, which needs the converter: lazily.
        @Bean(defaultCandidate = false)
        JdbcConverter legacyConverter(@Qualifier("legacyJdbcOperations") NamedParameterJdbcOperations operations,
                @Qualifier("legacyDialect") JdbcDialect dialect,
                @Lazy @Qualifier("legacyDataAccessStrategy") DataAccessStrategy relations) {
            JdbcCustomConversions conversions = JdbcConfiguration.createCustomConversions(dialect, List.of());
            JdbcMappingContext mappingContext = JdbcConfiguration
                .createMappingContext(RelationalManagedTypes.from(JdbcItem.class), conversions, DefaultNamingStrategy.INSTANCE);
            return JdbcConfiguration.createConverter(mappingContext, operations, relations, conversions, dialect);
        }

        @Bean(defaultCandidate = false)
        DataAccessStrategy legacyDataAccessStrategy(
                @Qualifier("legacyJdbcOperations") NamedParameterJdbcOperations operations,
                @Qualifier("legacyConverter") JdbcConverter converter, @Qualifier("legacyDialect") JdbcDialect dialect) {
            return JdbcConfiguration.createDataAccessStrategy(operations, converter, QueryMappingConfiguration.EMPTY,
                    dialect);
        }

        @Bean(defaultCandidate = false)
        JdbcAggregateTemplate legacyAggregates(ApplicationContext context,
                @Qualifier("legacyConverter") JdbcConverter converter,
                @Qualifier("legacyDataAccessStrategy") DataAccessStrategy dataAccessStrategy) {
            return new JdbcAggregateTemplate(context, converter.getMappingContext(), converter, dataAccessStrategy);
        }

        @Bean(defaultCandidate = false)
        JdbcTransactionManager legacyTransactionManager(@Qualifier("legacyDataSource") DataSource dataSource) {
            return new JdbcTransactionManager(dataSource);
        }

    }

}
