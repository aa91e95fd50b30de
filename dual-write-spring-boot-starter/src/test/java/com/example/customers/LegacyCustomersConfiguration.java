package com.example.customers;

import javax.sql.DataSource;

import com.example.customers.jdbc.CustomerRepository;
import com.example.customers.legacy.LegacyCustomerRepository;
import dev.dualwrite.autoconfigure.source.JdbcSource;
import dev.dualwrite.core.store.JdbcOldStore;
import dev.dualwrite.core.store.SqliteDialect;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.jdbc.support.JdbcTransactionManager;

// The old database's beans are no default candidates: Spring Boot configures PostgreSQL as if
// they were not there, and only a qualifier reaches them.
@Configuration(proxyBeanMethods = false)
@EnableJdbcRepositories(basePackageClasses = LegacyCustomerRepository.class,
        jdbcAggregateOperationsRef = "legacyAggregates", transactionManagerRef = "legacyTransactionManager")
class LegacyCustomersConfiguration {

    @Bean(defaultCandidate = false)
    DataSource legacyDataSource() {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setBusyTimeout(5_000);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl("jdbc:sqlite:legacy.db");
        return dataSource;
    }

    @Bean(defaultCandidate = false)
    JdbcTransactionManager legacyTransactionManager(@Qualifier("legacyDataSource") DataSource dataSource) {
        return new JdbcTransactionManager(dataSource);
    }

    // Spring Data JDBC's own set-up, with the old database's dialect: default naming, the
    // dialect's conversions only, no entity callbacks or events (build your own for more).
    @Bean(defaultCandidate = false)
    JdbcAggregateTemplate legacyAggregates(@Qualifier("legacyDataSource") DataSource dataSource) {
        return JdbcOldStore.aggregates(dataSource, SqliteDialect.INSTANCE);
    }

    @Bean
    JdbcSource legacyCustomers(@Qualifier("legacyDataSource") DataSource dataSource,
            @Qualifier("legacyAggregates") JdbcAggregateTemplate aggregates,
            @Qualifier("legacyTransactionManager") JdbcTransactionManager transactionManager) {
        return JdbcSource.of("legacy", dataSource, aggregates)
            .repositories(LegacyCustomerRepository.class)
            .transactionManager(transactionManager);
    }

    // The new store's repositories, on Spring Boot's PostgreSQL set-up.
    @Configuration(proxyBeanMethods = false)
    @EnableJdbcRepositories(basePackageClasses = CustomerRepository.class)
    static class NewStore {

    }

}
