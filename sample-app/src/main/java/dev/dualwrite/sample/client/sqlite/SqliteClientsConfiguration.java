package dev.dualwrite.sample.client.sqlite;

import javax.sql.DataSource;

import dev.dualwrite.autoconfigure.source.JdbcSource;
import dev.dualwrite.core.store.JdbcOldStore;
import dev.dualwrite.core.store.SqliteDialect;
import dev.dualwrite.sample.client.postgres.ClientRowRepository;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.jdbc.support.JdbcTransactionManager;

/**
 * Profile {@code sqlite}: the clients' SQLite file as a second database beside PostgreSQL,
 * and the {@link JdbcSource} that makes its repository the old store of the migration.
 * <p>
 * The SQLite beans are not default candidates: they are injected only where named, so
 * Spring Boot still configures PostgreSQL (its {@code DataSource}, transaction manager and
 * Spring Data JDBC set-up) as if they were not there, and the application's other
 * repositories keep using PostgreSQL's.
 */
@Configuration(proxyBeanMethods = false)
@Profile("sqlite")
@EnableJdbcRepositories(basePackageClasses = ClientRepository.class,
        jdbcAggregateOperationsRef = "clientsSqliteAggregates", transactionManagerRef = "clientsSqliteTransactionManager")
class SqliteClientsConfiguration {

    @Bean(defaultCandidate = false)
    DataSource clientsSqliteDataSource(ClientsProperties properties) {
        return ClientsFile.open(properties);
    }

    @Bean(defaultCandidate = false)
    JdbcTransactionManager clientsSqliteTransactionManager(
            @Qualifier("clientsSqliteDataSource") DataSource dataSource) {
        return new JdbcTransactionManager(dataSource);
    }

    // Spring Data JDBC's own set-up, with SQLite's dialect and this file's connections.
    @Bean(defaultCandidate = false)
    JdbcAggregateTemplate clientsSqliteAggregates(@Qualifier("clientsSqliteDataSource") DataSource dataSource) {
        return JdbcOldStore.aggregates(dataSource, SqliteDialect.INSTANCE);
    }

    @Bean
    JdbcSource clientsSqlite(@Qualifier("clientsSqliteDataSource") DataSource dataSource,
            @Qualifier("clientsSqliteAggregates") JdbcAggregateTemplate aggregates,
            @Qualifier("clientsSqliteTransactionManager") JdbcTransactionManager transactionManager) {
        return JdbcSource.of("clients-sqlite", dataSource, aggregates)
            .repositories(ClientRepository.class)
            .transactionManager(transactionManager);
    }

    // PostgreSQL's repository of the same type, on Spring Boot's PostgreSQL set-up: the new
    // store the SQLite repository is paired with.
    @Configuration(proxyBeanMethods = false)
    @Profile("sqlite")
    @EnableJdbcRepositories(basePackageClasses = ClientRowRepository.class)
    static class PostgresClients {

    }

}
