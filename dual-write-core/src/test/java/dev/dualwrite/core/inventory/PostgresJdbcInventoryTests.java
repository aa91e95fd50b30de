package dev.dualwrite.core.inventory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dualwrite.core.inventory.InventoryReport.TableInventory;
import dev.dualwrite.core.store.JdbcOldStore;
import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.TcpProxy;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.jdbc.core.dialect.JdbcDialect;
import org.springframework.data.jdbc.core.dialect.JdbcPostgresDialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link JdbcInventory} over an old schema of PostgreSQL, in a schema of its own dropped after
 * the class: a table's size is {@code pg_total_relation_size}, its indexes included; a database
 * that cannot be reached is named by the store's description and its tables, never its URL.
 */
class PostgresJdbcInventoryTests extends AbstractJdbcInventoryTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(PostgresJdbcInventoryTests.class);

    @Override
    protected DataSource dataSource() {
        return schema.dataSource();
    }

    @Override
    protected JdbcDialect dialect() {
        return JdbcPostgresDialect.INSTANCE;
    }

    @Override
    protected DataSource checkpoints() {
        return schema.dataSource();
    }

    @Override
    protected void assertSize(TableInventory table, int indexes) {
        Long total = jdbc().queryForObject("select pg_total_relation_size(?::regclass)", Long.class, table.table());
        Long heap = jdbc().queryForObject("select pg_relation_size(?::regclass)", Long.class, table.table());
        assertThat(table.bytes()).isEqualTo(total);
        // The primary key's index and any other count with the table.
        assertThat(table.bytes()).isGreaterThan(heap);
        if (table.rows() == ITEMS) {
            assertThat(heap).isGreaterThanOrEqualTo(ITEMS * 100L);
        }
        assertThat(table.sizeBasis()).isEqualTo("pg_total_relation_size: the table with its indexes and TOAST");
    }

    @Override
    protected void assertEmptySize(TableInventory table) {
        assertThat(table.bytes()).isEqualTo(
                jdbc().queryForObject("select pg_total_relation_size('inv_empty'::regclass)", Long.class));
        assertThat(table.sizeBasis()).startsWith("pg_total_relation_size");
    }

    @Test
    void aCountThatOutlastsTheTimeLimitFailsNamingTheTableAndTheLimit() throws SQLException {
        InventorySettings oneSecond = new InventorySettings("*", 500, 500, 64, 0, 200, 5, 10, Duration.ofSeconds(1));
        // Another transaction's exclusive lock makes count(*) wait until the time limit cancels it.
        try (Connection locker = schema.dataSource().getConnection()) {
            locker.setAutoCommit(false);
            try (Statement statement = locker.createStatement()) {
                statement.execute("lock table inv_crate in access exclusive mode");
            }
            try {
                assertThatIllegalStateException()
                    .isThrownBy(() -> inventory().take(Set.of("crates"), oneSecond, (progress) -> {
                    }))
                    .withMessageContaining("Repository 'crates'")
                    .withMessageContaining("inv_crate")
                    .withMessageContaining("did not finish within the inventory's time limit of 1 s");
            }
            finally {
                locker.rollback();
            }
        }
        assertThat(inventory().take(Set.of("crates"), oneSecond, (progress) -> {
        }).repositories().get(0).entities()).isEqualTo(CRATES);
    }

    @Test
    void anUnreachableDatabaseIsNamedByItsDescriptionAndTablesNeverItsUrl() {
        PostgresServer postgres = schema.server();
        String secret = "never-in-a-message-7f3a";
        try (TcpProxy proxy = TcpProxy.start(postgres.host(), postgres.port())) {
            proxy.refuseConnections();
            try (HikariDataSource unreachable = new HikariDataSource()) {
                String url = postgres.withAddress(proxy.host(), proxy.port()).jdbcUrl(schema.name());
                unreachable.setJdbcUrl(url);
                unreachable.setUsername(postgres.username());
                unreachable.setPassword(secret);
                // A pool that starts without its database and gives up on a connection quickly.
                unreachable.setInitializationFailTimeout(-1);
                unreachable.setConnectionTimeout(1000);
                JdbcInventory inventory = new JdbcInventory("legacy PostgreSQL", JdbcOldStore.aggregates(unreachable, dialect()),
                        unreachable, dialect(), Map.of("items", Item.class));

                assertThatIllegalStateException()
                    .isThrownBy(() -> inventory.take(Set.of("items"), InventorySettings.DEFAULTS, (progress) -> {
                    }))
                    .withMessageContaining("legacy PostgreSQL")
                    .withMessageContaining("inv_item")
                    .withMessageContaining("could not be reached")
                    .withMessageNotContaining(secret)
                    .withMessageNotContaining("jdbc:")
                    .withMessageNotContaining(schema.name());
            }
        }
    }

}
