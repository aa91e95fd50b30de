package dev.dualwrite.repair;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RedisRepairKeys;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyOptions;
import dev.dualwrite.repair.app.RepairHashApplication;
import dev.dualwrite.repair.app.RepairItem;
import dev.dualwrite.repair.app.redis.RepairItemRepository;
import dev.dualwrite.testsupport.TcpProxy;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The proof: while several threads write through the decorator, real faults hit the
 * secondary store (refused connections, a store slower than the time limit, connections
 * dropped mid-write): PostgreSQL in {@code DUAL}, then Redis in {@code POSTGRES_PRIMARY}. No
 * caller request fails; once the faults stop the background reconciler drains every repair
 * record, and the verifier finds zero differences.
 */
@DirtiesContext
@SpringBootTest(classes = RepairHashApplication.class,
        properties = { "spring.flyway.locations=classpath:db/parity/repair", "dual-write.secondary.timeout=500ms",
                "dual-write.secondary.circuit-breaker.wait-duration-in-open-state=1s",
                "dual-write.repair.interval=300ms", "dual-write.repair.min-age=1s",
                "dual-write.repair.initial-backoff=200ms", "dual-write.repair.max-backoff=2s" })
class FaultsConvergeProofTests {

    private static final String REPOSITORY = "parity_repair_items";

    private static final int WRITERS = 6;

    private static final int KEYS = 200;

    private static final ContractStores stores = ContractStores.start(FaultsConvergeProofTests.class,
            RepairItem.KEYSPACE);

    @Autowired
    private RepairItemRepository repository;

    @Autowired
    private StrategySource strategies;

    @Autowired
    private Verifier verifier;

    @Autowired
    private DualRepositoryRegistry registry;

    @Autowired
    private RedisRepairLog redisRepairLog;

    @Autowired
    private PostgresRepairLog postgresRepairLog;

    @Autowired
    private MeterRegistry meters;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        stores.register(registry);
    }

    @AfterAll
    static void cleanUp() {
        stores.restore();
        stores.clear(List.of(REPOSITORY), List.of(REPOSITORY));
        stores.redis().delete(RedisRepairKeys.DEFAULT.claims(REPOSITORY));
        stores.close();
    }

    @Test
    void faultsOnTheSecondaryNeverFailACallerAndTheStoresConvergeAfterwards() throws Exception {
        stores.clear(List.of(REPOSITORY), List.of(REPOSITORY));
        this.strategies.change(REPOSITORY, WriteStrategy.DUAL, true);
        Stage dual = runStage(stores.postgresProxy());
        awaitDrainedAndVerified("DUAL");
        assertThat(repaired("postgres")).as("the faults left keys to repair in PostgreSQL").isPositive();

        // Forced: both stores were empty when DUAL began, so there is no history to backfill;
        // what this test proves is the convergence after faults, verified above.
        this.strategies.change(REPOSITORY, WriteStrategy.POSTGRES_PRIMARY, true);
        Stage postgresPrimary = runStage(stores.redisProxy());
        awaitDrainedAndVerified("POSTGRES_PRIMARY");
        assertThat(repaired("redis")).as("the faults left keys to repair in Redis").isPositive();

        for (Stage stage : List.of(dual, postgresPrimary)) {
            assertThat(stage.failures()).as("caller requests that failed").isEmpty();
            assertThat(stage.writes()).isGreaterThan(100);
        }
        System.out.printf("proof: DUAL %d writes, POSTGRES_PRIMARY %d writes under faults, 0 caller failures; "
                + "reconciler repaired %.0f keys in PostgreSQL and %.0f in Redis; 0 differences after draining%n",
                dual.writes(), postgresPrimary.writes(), repaired("postgres"), repaired("redis"));
    }

    private Stage runStage(TcpProxy secondary) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong writes = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<?>> writers = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            int writer = i;
            writers.add(pool.submit(() -> write(writer, running, writes, failures)));
        }
        // Each fault lasts until the writers have done a number of writes under it (with a
        // deadline), so the proof exercises every fault however fast this machine is.
        try {
            awaitWrites(writes, 50);
            // The secondary refuses connections for a while.
            secondary.refuseConnections();
            awaitWrites(writes, 200);
            secondary.restore();
            awaitWrites(writes, 100);
            // Slower than the time limit.
            secondary.delay(Duration.ofMillis(700));
            awaitWrites(writes, 30);
            secondary.delay(Duration.ZERO);
            // Connections dropped in the middle of writes.
            for (int i = 0; i < 5; i++) {
                awaitWrites(writes, 40);
                secondary.dropConnections();
            }
            awaitWrites(writes, 50);
        }
        finally {
            secondary.restore();
            running.set(false);
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
        }
        return new Stage(writes.get(), List.copyOf(failures));
    }

    private static void awaitWrites(AtomicLong writes, long count) {
        long target = writes.get() + count;
        await().atMost(Duration.ofSeconds(60)).until(() -> writes.get() >= target);
    }

    private void write(int writer, AtomicBoolean running, AtomicLong writes, ConcurrentLinkedQueue<String> failures) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = 0;
        while (running.get()) {
            String id = "k" + random.nextInt(KEYS);
            try {
                if (random.nextInt(5) == 0) {
                    this.repository.deleteById(id);
                }
                else {
                    this.repository.save(new RepairItem(id, "w" + writer + "-" + i, i));
                }
                writes.incrementAndGet();
            }
            catch (RuntimeException ex) {
                failures.add(ex.toString());
            }
            i++;
        }
    }

    private void awaitDrainedAndVerified(String stage) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            // Every DUAL write's intent closed (its copy confirmed, or recorded for repair), and
            // every record drained.
            assertThat(this.redisRepairLog.openIntents(REPOSITORY)).as("%s: open write intents", stage).isZero();
            assertThat(this.redisRepairLog.pendingCount(REPOSITORY)).as("%s: Redis repair log", stage).isZero();
            assertThat(this.postgresRepairLog.pendingCount(REPOSITORY)).as("%s: PostgreSQL repair log", stage).isZero();
        });
        VerificationReport report = this.verifier.verify(Verifier.find(this.registry::all, REPOSITORY),
                VerifyOptions.full());
        assertThat(report.differences()).as("%s: %s", stage, report.summary()).isEmpty();
        assertThat(report.agree()).isTrue();
        assertThat(report.redisKeys()).isPositive();
    }

    private double repaired(String store) {
        return this.meters.get("dualwrite.repair.repaired").tags("repository", REPOSITORY, "store", store)
            .counter()
            .count();
    }

    private record Stage(long writes, List<String> failures) {
    }

}
