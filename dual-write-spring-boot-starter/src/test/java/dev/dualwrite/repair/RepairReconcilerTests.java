package dev.dualwrite.repair;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.core.repair.ClaimableRepairLog;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RedisRepairKeys;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.repair.RepairClaim;
import dev.dualwrite.core.repair.reconcile.RepairMetrics;
import dev.dualwrite.core.repair.reconcile.RepairReconciler.DrainResult;
import dev.dualwrite.core.repair.reconcile.RepairReconciler;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.repair.app.RepairHashApplication;
import dev.dualwrite.repair.app.RepairItem;
import dev.dualwrite.repair.app.redis.RepairItemRepository;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The reconciler against the real servers: drains both logs toward the current primary,
 * leaves records alone in single-store stages, backs off per key, never forgets a key
 * recorded again while claimed, and lets several instances drain without taking the same key.
 */
@DirtiesContext
@SpringBootTest(classes = RepairHashApplication.class,
        properties = { "spring.flyway.locations=classpath:db/parity/repair", "dual-write.repair.enabled=false",
                "dual-write.repair.min-age=0s", "dual-write.repair.initial-backoff=30s",
                "dual-write.repair.oldest-age-cache-for=0s", "dual-write.secondary.timeout=1s",
                "dual-write.secondary.circuit-breaker.minimum-number-of-calls=100000" })
class RepairReconcilerTests {

    private static final String REPOSITORY = "parity_repair_items";

    private static final ContractStores stores = ContractStores.start(RepairReconcilerTests.class,
            RepairItem.KEYSPACE);

    @Autowired
    private RepairItemRepository repository;

    @Autowired
    private StrategySource strategies;

    @Autowired
    private RepairReconciler reconciler;

    @Autowired
    private RedisRepairLog redisRepairLog;

    @Autowired
    private PostgresRepairLog postgresRepairLog;

    @Autowired
    private RepairMetrics repairMetrics;

    @Autowired
    private MeterRegistry meters;

    @Autowired
    private DataSource dataSource;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        stores.register(registry);
    }

    @AfterAll
    static void cleanUp() {
        stores.clear(List.of(REPOSITORY), List.of(REPOSITORY));
        stores.redis().delete(RedisRepairKeys.DEFAULT.claims(REPOSITORY));
        stores.close();
    }

    @BeforeEach
    void clean() {
        stores.restore();
        awaitPostgres();
        stores.clear(List.of(REPOSITORY), List.of(REPOSITORY));
        stores.redis().delete(RedisRepairKeys.DEFAULT.claims(REPOSITORY));
    }

    @AfterEach
    void restore() {
        stores.restore();
    }

    @Test
    void dualWriteRecordsAreDrainedOncePostgresIsBack() {
        use(WriteStrategy.DUAL);
        this.repository.save(new RepairItem("d", "ToDelete", 1));
        stores.postgresProxy().refuseConnections();
        this.repository.save(new RepairItem("a", "Alpha", 1));
        this.repository.deleteById("d");
        assertThat(this.redisRepairLog.pendingCount(REPOSITORY)).isEqualTo(2);
        stores.restore();
        awaitPostgres();

        DrainResult result = this.reconciler.drainOnce();

        assertThat(result.repaired()).isEqualTo(2);
        assertThat(nameInPostgres("a")).contains("Alpha");
        assertThat(nameInPostgres("d")).isEmpty();
        assertThat(this.redisRepairLog.pendingCount(REPOSITORY)).isZero();
        assertThat(stores.redis().hasKey(RedisRepairKeys.DEFAULT.claims(REPOSITORY))).isFalse();
        assertThat(this.meters.get(RepairMetrics.REPAIRED).tags("repository", REPOSITORY, "store", "postgres")
            .counter()
            .count()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void postgresPrimaryOutboxIsDrainedOnceRedisIsBack() {
        use(WriteStrategy.POSTGRES_PRIMARY);
        this.repository.save(new RepairItem("d", "ToDelete", 1));
        stores.redisProxy().refuseConnections();
        this.repository.save(new RepairItem("a", "Alpha", 1));
        this.repository.deleteById("d");
        assertThat(this.postgresRepairLog.pendingCount(REPOSITORY)).isEqualTo(2);
        stores.restore();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            this.reconciler.drainOnce();
            assertThat(this.postgresRepairLog.pendingCount(REPOSITORY)).isZero();
        });
        assertThat(nameInRedis("a")).contains("Alpha");
        assertThat(nameInRedis("d")).isEmpty();
    }

    @Test
    void singleStoreStagesLeaveRecordsForATwoStoreStage() {
        use(WriteStrategy.DUAL);
        stores.postgresProxy().refuseConnections();
        this.repository.save(new RepairItem("a", "Alpha", 1));
        stores.restore();
        awaitPostgres();
        use(WriteStrategy.REDIS_PRIMARY);

        assertThat(this.reconciler.drainOnce()).isEqualTo(new DrainResult(0, 0, 0));
        assertThat(this.redisRepairLog.pendingCount(REPOSITORY)).isEqualTo(1);

        use(WriteStrategy.DUAL);
        assertThat(this.reconciler.drainOnce().repaired()).isEqualTo(1);
        assertThat(nameInPostgres("a")).contains("Alpha");
    }

    @Test
    void aFailedRepairIsRetriedOnlyAfterItsBackoff() {
        use(WriteStrategy.DUAL);
        stores.postgresProxy().refuseConnections();
        this.repository.save(new RepairItem("a", "Alpha", 1));

        DrainResult result = this.reconciler.drainOnce();

        assertThat(result.failed()).isEqualTo(1);
        assertThat(this.redisRepairLog.pendingCount(REPOSITORY)).isEqualTo(1);
        stores.restore();
        awaitPostgres();
        // Backoff of 30 s: nobody, this instance or another, takes the key meanwhile.
        assertThat(this.reconciler.drainOnce().repaired()).isZero();
        assertThat(this.redisRepairLog.claim(REPOSITORY, "other-instance", 10, Duration.ofMinutes(1), Duration.ZERO))
            .isEmpty();
        assertThat(this.meters.get(RepairMetrics.FAILED).tags("repository", REPOSITORY, "store", "postgres")
            .counter()
            .count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aKeyRecordedAgainWhileClaimedIsNotForgotten() {
        for (ClaimableRepairLog log : List.<ClaimableRepairLog>of(this.redisRepairLog, this.postgresRepairLog)) {
            Store target = (log == this.redisRepairLog) ? Store.POSTGRES : Store.REDIS;
            log.recordFailure(REPOSITORY, "k", target, "first failure");
            List<RepairClaim> claims = log.claim(REPOSITORY, "me", 10, Duration.ofMinutes(1), Duration.ZERO);
            assertThat(claims).extracting(RepairClaim::key).containsExactly("k");
            log.recordFailure(REPOSITORY, "k", target, "second failure, while claimed");

            assertThat(log.complete(claims.get(0))).as("%s removed a record recorded again", target).isFalse();
            assertThat(log.pending(REPOSITORY, 10)).extracting((record) -> record.reason())
                .containsExactly("second failure, while claimed");
            // The newer record is claimable at once.
            List<RepairClaim> again = log.claim(REPOSITORY, "me", 10, Duration.ofMinutes(1), Duration.ZERO);
            assertThat(again).hasSize(1);
            assertThat(log.complete(again.get(0))).isTrue();
            assertThat(log.pendingCount(REPOSITORY)).isZero();
        }
    }

    @Test
    void instancesClaimingAtOnceNeverTakeTheSameRecord() throws Exception {
        for (int i = 0; i < 300; i++) {
            this.redisRepairLog.recordFailure(REPOSITORY, "r" + i, Store.POSTGRES, "down");
            this.postgresRepairLog.recordFailure(REPOSITORY, "p" + i, Store.REDIS, "down");
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> instances = new ArrayList<>();
            for (int instance = 0; instance < 4; instance++) {
                String owner = "instance-" + instance;
                instances.add(pool.submit((Callable<List<String>>) () -> {
                    List<String> taken = new ArrayList<>();
                    for (int round = 0; round < 20; round++) {
                        for (ClaimableRepairLog log : List.<ClaimableRepairLog>of(this.redisRepairLog,
                                this.postgresRepairLog)) {
                            log.claim(REPOSITORY, owner, 25, Duration.ofMinutes(1), Duration.ZERO)
                                .forEach((claim) -> taken.add(claim.record().target() + ":" + claim.key()));
                        }
                    }
                    return taken;
                }));
            }
            Set<String> all = new HashSet<>();
            int total = 0;
            for (Future<List<String>> instance : instances) {
                List<String> taken = instance.get();
                total += taken.size();
                all.addAll(taken);
            }
            assertThat(total).as("no record claimed twice").isEqualTo(all.size());
            assertThat(all).hasSize(600);
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oldestAgeIsPublishedWhilePendingAndZeroOnceDrained() throws Exception {
        use(WriteStrategy.DUAL);
        stores.postgresProxy().refuseConnections();
        this.repository.save(new RepairItem("a", "Alpha", 1));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(this.meters.get(RepairMetrics.OLDEST_AGE)
            .tags("repository", REPOSITORY, "store", "postgres")
            .gauge()
            .value()).isGreaterThanOrEqualTo(1.0));
        stores.restore();
        awaitPostgres();
        stores.redis().delete(RedisRepairKeys.DEFAULT.claims(REPOSITORY));
        this.reconciler.drainOnce();
        assertThat(this.repairMetrics.oldestAgeSeconds(REPOSITORY, Store.POSTGRES)).isZero();
    }

    @Test
    void theBackgroundReconcilerDrainsOnItsOwn() {
        use(WriteStrategy.DUAL);
        stores.postgresProxy().refuseConnections();
        this.repository.save(new RepairItem("a", "Alpha", 1));
        stores.restore();
        awaitPostgres();
        this.reconciler.start();
        try {
            await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(nameInPostgres("a")).contains("Alpha"));
            assertThat(this.redisRepairLog.pendingCount(REPOSITORY)).isZero();
        }
        finally {
            this.reconciler.close();
        }
    }

    private void use(WriteStrategy strategy) {
        this.strategies.change(REPOSITORY, strategy, true);
    }

    private void awaitPostgres() {
        await().atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(() -> new JdbcTemplate(this.dataSource).queryForObject("select 1", Integer.class) == 1);
    }

    private Optional<String> nameInPostgres(String id) {
        return stores.postgres()
            .queryForList("select name from " + REPOSITORY + " where id = ?", String.class, id)
            .stream()
            .findFirst();
    }

    private Optional<String> nameInRedis(String id) {
        return Optional
            .ofNullable(stores.redis().<String, String>opsForHash().get(RepairItem.KEYSPACE + ":" + id, "name"));
    }

}
