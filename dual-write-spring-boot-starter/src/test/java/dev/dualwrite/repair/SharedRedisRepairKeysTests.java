package dev.dualwrite.repair;

import java.util.List;
import java.util.Optional;

import dev.dualwrite.core.inventory.Inventory;
import dev.dualwrite.core.inventory.InventoryReport.PartInventory;
import dev.dualwrite.core.inventory.InventoryReport.RepositoryInventory;
import dev.dualwrite.core.inventory.KeyRole;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.repair.reconcile.RepairReconciler;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.durability.Bolt;
import dev.dualwrite.durability.WriterApplication;
import dev.dualwrite.durability.redis.BoltRepository;
import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;
import dev.dualwrite.testsupport.TestServers;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two applications that share one Redis and each migrate a table of the same name (in a
 * PostgreSQL schema of their own, with entity keys of their own), each with its own
 * {@code dual-write.repair.redis-key-prefix}: a repair record of one lives under its prefix,
 * counts in its pending records only, is drained by its reconciler only, and its inventory
 * files the keys under that prefix as dual-write's own. Records are written through the log's
 * API: what is checked is where they live and who takes them, not how a failure is detected.
 * A prefix with a brace, or one that puts the keys under a JSON repository's key prefix or a
 * {@code @RedisHash} repository's keyspace, stops the application at startup, naming the
 * property.
 */
class SharedRedisRepairKeysTests {

    private static final String BOLTS = "durability_bolts";

    private static final TestKeyPrefix keys = TestKeyPrefix.create(SharedRedisRepairKeysTests.class);

    private static final TestSchema schemaA = TestSchema.create(TestServers.postgres(), "shared_redis_a");

    private static final TestSchema schemaB = TestSchema.create(TestServers.postgres(), "shared_redis_b");

    private static ConfigurableApplicationContext appA;

    private static ConfigurableApplicationContext appB;

    @BeforeAll
    static void startBoth() {
        appA = start(schemaA, keys.key("a:"), keys.key("a:dualwrite:"));
        appB = start(schemaB, keys.key("b:"), keys.key("b:dualwrite:"));
    }

    @AfterAll
    static void stopBoth() {
        try (keys; schemaA; schemaB) {
            try {
                if (appA != null) {
                    appA.close();
                }
            }
            finally {
                if (appB != null) {
                    appB.close();
                }
            }
        }
    }

    @Test
    void aRecordOfOneApplicationIsKeptUnderItsPrefixAndDrainedByItsReconcilerOnly() {
        appA.getBean(BoltRepository.class).save(new Bolt("k1", "copied", 1));
        JdbcTemplate postgresA = new JdbcTemplate(schemaA.dataSource());
        // PostgreSQL behind Redis for k1, and the record that says so.
        postgresA.update("delete from durability_bolts where id = 'k1'");
        appA.getBean(RedisRepairLog.class).recordFailure(BOLTS, "k1", Store.POSTGRES, "test: copy owed");

        StringRedisTemplate redis = appA.getBean(StringRedisTemplate.class);
        assertThat(redis.opsForHash().keys(keys.key("a:dualwrite:repair:{" + BOLTS + "}"))).containsExactly("k1");
        assertThat(appA.getBean(RedisRepairLog.class).pendingCount(BOLTS)).isOne();
        assertThat(appB.getBean(RedisRepairLog.class).pendingCount(BOLTS)).isZero();

        assertThat(appB.getBean(RepairReconciler.class).drainOnce().repaired()).isZero();
        assertThat(appA.getBean(RedisRepairLog.class).pendingCount(BOLTS)).as("B left A's record alone").isOne();

        assertThat(appA.getBean(RepairReconciler.class).drainOnce().repaired()).isOne();
        assertThat(nameIn(postgresA, "k1")).contains("copied");
        assertThat(appA.getBean(RedisRepairLog.class).pendingCount(BOLTS)).isZero();
    }

    @Test
    void theInventoryFilesTheRepairKeysUnderTheApplicationsPrefix() {
        appA.getBean(RedisRepairLog.class).recordFailure(BOLTS, "k2", Store.POSTGRES, "test: copy owed");
        try {
            RepositoryInventory bolts = appA.getBean(Inventory.class)
                .take(List.of(BOLTS))
                .repositories()
                .stream()
                .filter((repository) -> repository.repository().equals(BOLTS))
                .findFirst()
                .orElseThrow();
            String records = keys.key("a:dualwrite:repair:{" + BOLTS + "}");
            assertThat(bolts.parts()).filteredOn((part) -> part.role() == KeyRole.DUAL_WRITE)
                .extracting(PartInventory::pattern)
                .containsExactly(records, records + ":claims", keys.key("a:dualwrite:intent:{" + BOLTS + "}"));
            assertThat(bolts.parts()).filteredOn((part) -> part.pattern().equals(records))
                .extracting(PartInventory::count)
                .containsExactly(1L);
        }
        finally {
            appA.getBean(StringRedisTemplate.class).delete(keys.key("a:dualwrite:repair:{" + BOLTS + "}"));
        }
    }

    @Test
    void aPrefixWithABraceIsRefusedAtStartupNamingTheProperty() {
        assertStartRefused("shared_redis_c", keys.key("c:"), keys.key("c{1}:"))
            .isInstanceOf(BeanCreationException.class)
            .rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("dual-write.repair.redis-key-prefix")
            .hasMessageContaining("must not contain '{' or '}'");
    }

    @Test
    void aPrefixUnderAJsonRepositorysKeyPrefixIsRefusedAtStartupNamingTheProperty() {
        // The bolts are JSON strings under <entity prefix>bolt:, which their scans and deleteAll take whole.
        assertStartRefused("shared_redis_d", keys.key("d:"), keys.key("d:bolt:dualwrite:"))
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("dual-write.repair.redis-key-prefix")
            .hasMessageContaining("repository 'durability_bolts' would keep its repair records in '"
                    + keys.key("d:bolt:dualwrite:repair:{durability_bolts}") + "', under '" + keys.key("d:bolt:")
                    + "', where every key belongs to repository 'durability_bolts'");
    }

    @Test
    void aPrefixUnderARedisHashKeyspaceIsRefusedAtStartupNamingTheProperty() {
        // The nuts are @RedisHash entities in <entity prefix>nuts, whose deleteAll deletes every key under it.
        assertStartRefused("shared_redis_e", keys.key("e:"), keys.key("e:nuts:dualwrite:"))
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("dual-write.repair.redis-key-prefix")
            .hasMessageContaining("repository 'durability_bolts' would keep its repair records in '"
                    + keys.key("e:nuts:dualwrite:repair:{durability_bolts}") + "', under '" + keys.key("e:nuts:")
                    + "', where every key belongs to repository 'durability_nuts'");
    }

    // What an application's start throws, in a schema of its own dropped afterwards.
    private static AbstractThrowableAssert<?, ? extends Throwable> assertStartRefused(String schemaLabel,
            String entityPrefix, String repairPrefix) {
        try (TestSchema schema = TestSchema.create(TestServers.postgres(), schemaLabel)) {
            return assertThatThrownBy(() -> start(schema, entityPrefix, repairPrefix).close());
        }
    }

    private static Optional<String> nameIn(JdbcTemplate postgres, String id) {
        return postgres.queryForList("select name from durability_bolts where id = ?", String.class, id)
            .stream()
            .findFirst();
    }

    // One application: its own schema, entity keys and repair prefix, under the class's keys.
    private static ConfigurableApplicationContext start(TestSchema schema, String entityPrefix, String repairPrefix) {
        PostgresServer postgres = schema.server();
        RedisServer redis = keys.server();
        return new SpringApplicationBuilder(WriterApplication.class).run(
                "--spring.main.web-application-type=none",
                "--spring.datasource.url=" + schema.jdbcUrl(),
                "--spring.datasource.username=" + postgres.username(),
                "--spring.datasource.password=" + postgres.password(),
                "--spring.flyway.locations=classpath:db/durability",
                "--spring.flyway.schemas=" + schema.name(),
                "--spring.data.redis.host=" + redis.host(),
                "--spring.data.redis.port=" + redis.port(),
                "--dwtest.durability.prefix=" + entityPrefix,
                "--dual-write.repair.redis-key-prefix=" + repairPrefix,
                "--dual-write.repair.enabled=false",
                // The inventory counts this class's keys only, not the shared server's.
                "--dual-write.inventory.match=" + keys.prefix() + "*",
                "--dual-write.repair.min-age=0s",
                "--dual-write.strategy=DUAL",
                "--dual-write.repositories.durability_bolts.redis-repository=boltRepository",
                "--dual-write.repositories.durability_bolts.postgres-repository=boltRowRepository",
                "--dual-write.repositories.durability_nuts.redis-repository=nutRepository",
                "--dual-write.repositories.durability_nuts.postgres-repository=nutRowRepository");
    }

}
