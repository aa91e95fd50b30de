package dev.dualwrite.contract.jdbc;

import java.time.Duration;
import java.util.List;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.contract.jdbc.legacy.LegacyItemRepository;
import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.backfill.BackfillReport;
import dev.dualwrite.core.backfill.BackfillState;
import dev.dualwrite.core.inventory.Inventory;
import dev.dualwrite.core.repair.JdbcRepairLog;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RoutingOldStoreRepairLog;
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
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application whose only old store is a {@code JdbcSource} needs no Redis: with Spring
 * Boot's Redis auto-configuration left out there is no Redis connection factory at all, and
 * the JDBC pair still takes its writes by stage, keeps its repair log in the old database, and
 * is backfilled, verified and counted by the inventory.
 */
@DirtiesContext
@SpringBootTest(classes = JdbcContractApplication.class, properties = {
        "spring.flyway.locations=classpath:db/contract/jdbc",
        "spring.autoconfigure.exclude=org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration,"
                + "org.springframework.boot.data.redis.autoconfigure.DataRedisRepositoriesAutoConfiguration" })
class JdbcSourceWithoutRedisTests {

    private static final String TABLE = "jdbc_items";

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(JdbcSourceWithoutRedisTests.class);

    private static final LegacySchema legacy = LegacySchema.start(JdbcSourceWithoutRedisTests.class, JdbcItem.OLD_TABLE);

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        legacy.registerWithNewStore(registry, schema);
    }

    @AfterAll
    static void closeLegacy() {
        legacy.close();
    }

    @Autowired
    ApplicationContext context;

    @Autowired
    LegacyItemRepository items;

    @Autowired
    StrategySource strategies;

    @Autowired
    RoutingOldStoreRepairLog repairLogs;

    @Autowired
    PostgresRepairLog postgresRepairLog;

    @Autowired
    Backfill backfill;

    @Autowired
    Verifier verifier;

    @Autowired
    Inventory inventory;

    @Autowired
    DualRepositoryRegistry registry;

    @Test
    void aJdbcSourceMigratesWithoutAnyRedisConnectionFactory() {
        assertThat(this.context.getBeanNamesForType(RedisConnectionFactory.class)).isEmpty();
        assertThat(this.repairLogs.logOf(TABLE)).isInstanceOf(JdbcRepairLog.class);
        JdbcTemplate postgres = new JdbcTemplate(schema.dataSource());

        for (int i = 0; i < 40; i++) {
            this.items.save(new JdbcItem("history-" + i, "History " + i, "old", i));
        }
        assertThat(countIn(legacy.jdbc())).isEqualTo(40);
        assertThat(countIn(postgres)).isZero();
        assertThat(this.inventory.take(List.of(TABLE)).repositories().get(0).entities()).isEqualTo(40);

        this.strategies.change(TABLE, WriteStrategy.DUAL, false);
        this.items.save(new JdbcItem("live", "Live", "new", 1));
        assertThat(postgres.queryForList("select name from jdbc_items where id = 'live'", String.class))
            .containsExactly("Live");
        BackfillReport report = this.backfill.run(List.of(TABLE), this.backfill.defaults()).reports().get(0);
        assertThat(report.state()).isEqualTo(BackfillState.COMPLETED);
        VerificationReport verification = this.verifier.verify(Verifier.find(this.registry::all, TABLE),
                VerifyOptions.full());
        assertThat(verification.agree()).as(verification.summary()).isTrue();
        assertThat(verification.compared()).isEqualTo(41);

        this.strategies.change(TABLE, WriteStrategy.POSTGRES_PRIMARY, false);
        this.items.deleteById("history-0");
        assertThat(countIn(postgres)).isEqualTo(40);
        assertThat(countIn(legacy.jdbc())).isEqualTo(40);
        // The delete's copy to the old store paid its outbox record in PostgreSQL's log.
        await().atMost(Duration.ofSeconds(10)).until(() -> this.postgresRepairLog.pendingCount(TABLE) == 0);
    }

    private static long countIn(JdbcTemplate jdbc) {
        Long rows = jdbc.queryForObject("select count(*) from jdbc_items", Long.class);
        return (rows != null) ? rows : -1;
    }

}
