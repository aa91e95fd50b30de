package dev.dualwrite.contract.jdbc;

import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import dev.dualwrite.contract.AbstractStrategyContractTests;
import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.contract.jdbc.legacy.LegacyItemRepository;
import dev.dualwrite.testsupport.TcpProxy;
import org.junit.jupiter.api.AfterAll;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.repository.CrudRepository;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The strategy contract for a Spring Data JDBC repository on an old schema of the same
 * PostgreSQL, reached through a second {@code DataSource} behind a proxy of its own, listed by
 * a {@code JdbcSource}; its repair records live in that schema.
 */
@DirtiesContext
@SpringBootTest(classes = JdbcContractApplication.class, properties = {
        "spring.flyway.locations=classpath:db/contract/jdbc", "dual-write.secondary.timeout=2s",
        "dual-write.secondary.circuit-breaker.minimum-number-of-calls=100000",
        "spring.data.redis.repositories.enabled=false" })
class JdbcStrategyContractTests extends AbstractStrategyContractTests<JdbcItem> {

    private static final String TABLE = "jdbc_items";

    // The application still has a Redis connection; nothing of this class is kept there.
    private static final ContractStores stores = ContractStores.start(JdbcStrategyContractTests.class,
            "dwtest:contract:jdbc:");

    private static final LegacySchema legacy = LegacySchema.start(JdbcStrategyContractTests.class, JdbcItem.OLD_TABLE);

    @Autowired
    private LegacyItemRepository repository;

    @Autowired
    @Qualifier("legacyDataSource")
    private DataSource legacyDataSource;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        stores.register(registry);
        legacy.register(registry);
    }

    @AfterAll
    static void cleanUp() {
        stores.clear(List.of(TABLE), List.of(TABLE));
        stores.close();
        legacy.close();
    }

    @Override
    protected ContractStores stores() {
        return stores;
    }

    @Override
    protected String repositoryName() {
        return TABLE;
    }

    @Override
    protected CrudRepository<JdbcItem, String> repository() {
        return this.repository;
    }

    @Override
    protected JdbcItem item(String id, String name, String category) {
        return new JdbcItem(id, name, category, 1);
    }

    @Override
    protected String nameOf(JdbcItem item) {
        return item.name();
    }

    @Override
    protected List<JdbcItem> findByCategory(String category) {
        return this.repository.findByCategory(category);
    }

    @Override
    protected long deleteByCategory(String category) {
        return this.repository.deleteByCategory(category);
    }

    @Override
    protected List<JdbcItem> findByName(String name) {
        return this.repository.findByName(name);
    }

    // Whether or not the row exists, as a write to Redis would.
    @Override
    protected void putInOld(String id, String name, String category) {
        legacy.jdbc()
            .update("insert into " + TABLE + " (id, name, category, quantity) values (?, ?, ?, 1) on conflict (id) "
                    + "do update set name = excluded.name, category = excluded.category, quantity = excluded.quantity",
                    id, name, category);
    }

    @Override
    protected Optional<String> nameInOld(String id) {
        return legacy.jdbc()
            .queryForList("select name from " + TABLE + " where id = ?", String.class, id)
            .stream()
            .findFirst();
    }

    @Override
    protected TcpProxy oldStoreProxy() {
        return legacy.proxy();
    }

    @Override
    protected long openIntentsInOld() {
        Long open = legacy.jdbc()
            .queryForObject("select count(*) from dualwrite_source_intent where repository = ?", Long.class, TABLE);
        return (open != null) ? open : 0;
    }

    @Override
    protected void assertOldStoreAnswers() {
        new JdbcTemplate(this.legacyDataSource).queryForObject("select 1", Integer.class);
    }

    @Override
    protected void clearOldStore() {
        legacy.clear(TABLE);
    }

}
