package dev.dualwrite.contract.jdbc;

import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.autoconfigure.source.OldStoreSource;
import dev.dualwrite.contract.jdbc.legacy.LegacyItemRepository;
import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.backfill.BackfillState;
import dev.dualwrite.core.repair.JdbcRepairLog;
import dev.dualwrite.core.repair.OldStoreRepairLog;
import dev.dualwrite.core.repair.RoutingOldStoreRepairLog;
import dev.dualwrite.core.store.OldStore;
import dev.dualwrite.core.store.RepositoryOldStore;
import dev.dualwrite.core.store.scan.JdbcKeysetScanner;
import dev.dualwrite.core.store.scan.OldStoreScanner;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyOptions;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.repository.CrudRepository;
import org.springframework.data.repository.core.EntityInformation;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A source of the application's own, written against {@link OldStoreSource} alone (not
 * {@code JdbcSource}): its repository is decorated and paired, its writes take the stages'
 * stores, its repair log and scanner are the ones it gives, and the backfill and the verifier
 * run through them. The source here keeps its data in a table of an old schema, with an
 * {@link OldStore} of its own (whose upsert is one hand-written statement) and the core's JDBC
 * repair log and keyset scanner, the way a store of another kind brings its own three parts.
 */
@DirtiesContext
@SpringBootTest(classes = { JdbcContractApplication.class, OwnOldStoreSourceTests.OwnSource.class },
        properties = { "spring.flyway.locations=classpath:db/contract/jdbc", "contract.jdbc.source=own",
                "spring.autoconfigure.exclude=org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration,"
                        + "org.springframework.boot.data.redis.autoconfigure.DataRedisRepositoriesAutoConfiguration" })
class OwnOldStoreSourceTests {

    private static final String TABLE = "jdbc_items";

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(OwnOldStoreSourceTests.class);

    private static final LegacySchema legacy = LegacySchema.start(OwnOldStoreSourceTests.class, JdbcItem.OLD_TABLE);

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        legacy.registerWithNewStore(registry, schema);
    }

    @AfterAll
    static void closeLegacy() {
        legacy.close();
    }

    @Autowired
    LegacyItemRepository items;

    @Autowired
    StrategySource strategies;

    @Autowired
    RoutingOldStoreRepairLog repairLogs;

    @Autowired
    DualRepositoryRegistry registry;

    @Autowired
    Backfill backfill;

    @Autowired
    Verifier verifier;

    @Test
    void theStarterMigratesAStoreThroughItsOwnSource() {
        JdbcTemplate postgres = new JdbcTemplate(schema.dataSource());
        for (int i = 0; i < 25; i++) {
            this.items.save(new JdbcItem("history-" + i, "History " + i, "old", i));
        }
        assertThat(this.registry.find(LegacyItemRepository.class)).get()
            .satisfies((pair) -> assertThat(pair.old()).isInstanceOf(ItemStore.class));
        assertThat(this.repairLogs.logOf(TABLE)).isInstanceOf(JdbcRepairLog.class);

        this.strategies.change(TABLE, WriteStrategy.DUAL, false);
        this.items.save(new JdbcItem("live", "Live", "new", 1));
        assertThat(postgres.queryForList("select name from jdbc_items where id = 'live'", String.class))
            .containsExactly("Live");
        assertThat(this.backfill.run(List.of(TABLE), this.backfill.defaults()).reports().get(0).state())
            .isEqualTo(BackfillState.COMPLETED);
        VerificationReport verification = this.verifier.verify(Verifier.find(this.registry::all, TABLE),
                VerifyOptions.full());
        assertThat(verification.agree()).as(verification.summary()).isTrue();
        assertThat(verification.compared()).isEqualTo(26);

        // POSTGRES_PRIMARY copies into the old store through the source's own upsert.
        this.strategies.change(TABLE, WriteStrategy.POSTGRES_PRIMARY, false);
        this.items.save(new JdbcItem("from-postgres", "From PostgreSQL", "new", 2));
        assertThat(legacy.jdbc().queryForList("select name from jdbc_items where id = 'from-postgres'", String.class))
            .containsExactly("From PostgreSQL");
    }

    /** The application's own source, over the old schema's items. */
    @TestConfiguration(proxyBeanMethods = false)
    static class OwnSource {

        @Bean
        OldStoreSource itemsOfTheOldSchema(@Qualifier("legacyDataSource") DataSource dataSource,
                @Qualifier("legacyAggregates") JdbcAggregateOperations aggregates,
                @Qualifier("legacyTransactionManager") PlatformTransactionManager transactionManager) {
            return new OldStoreSource() {

                @Override
                public String name() {
                    return "items of the old schema";
                }

                @Override
                public List<Class<?>> repositories() {
                    return List.of(LegacyItemRepository.class);
                }

                @Override
                @SuppressWarnings("unchecked")
                public <R, ID> OldStore<R, ID> oldStore(CrudRepository<R, ID> repository,
                        EntityInformation<R, ID> entityInformation) {
                    return (OldStore<R, ID>) new ItemStore((CrudRepository<JdbcItem, String>) repository,
                            (EntityInformation<JdbcItem, String>) entityInformation, dataSource);
                }

                @Override
                public OldStoreRepairLog repairLog(Duration interruptedWriteGrace, Duration inFlightGrace) {
                    JdbcRepairLog log = new JdbcRepairLog(dataSource, interruptedWriteGrace, inFlightGrace);
                    log.createTables();
                    return log;
                }

                @Override
                public <R, ID> OldStoreScanner<R, ID> scannerOf(Class<R> entityType, Class<ID> idType) {
                    return new JdbcKeysetScanner<>(entityType, idType, aggregates, new JdbcTemplate(dataSource),
                            aggregates.getDataAccessStrategy().getDialect(), transactionManager);
                }

            };
        }

    }

    /**
     * Items in the old schema, upserted by one statement of its own. A store with transactions
     * says when a write joins one (the application's), so the write path copies it
     * once that has committed.
     */
    static final class ItemStore extends RepositoryOldStore<JdbcItem, String> {

        private final DataSource dataSource;

        private final JdbcTemplate jdbc;

        ItemStore(CrudRepository<JdbcItem, String> repository, EntityInformation<JdbcItem, String> entityInformation,
                DataSource dataSource) {
            super(repository, entityInformation);
            this.dataSource = dataSource;
            this.jdbc = new JdbcTemplate(dataSource);
        }

        @Override
        public boolean writesJoinCallersTransaction() {
            return TransactionSynchronizationManager.hasResource(this.dataSource);
        }

        @Override
        public JdbcItem upsert(JdbcItem item) {
            this.jdbc.update("insert into jdbc_items (id, name, category, quantity) values (?, ?, ?, ?) "
                    + "on conflict (id) do update set name = excluded.name, category = excluded.category, "
                    + "quantity = excluded.quantity", item.id(), item.name(), item.category(), item.quantity());
            return item;
        }

        @Override
        public String describe() {
            return "items of the old schema, upserted by hand";
        }

    }

}
