package dev.dualwrite.contract.hash;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.contract.hash.redis.ItemRepository;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A fuzzer for races: several threads save and delete the same few keys through the
 * decorator, and at the end both stores hold exactly the same thing for every key,
 * whatever order the writes took. "MIXED" has the writers flip the strategy between DUAL and
 * POSTGRES_PRIMARY as they go, as instances one stage apart would.
 */
@DirtiesContext
@SpringBootTest(classes = HashContractApplication.class,
        properties = { "spring.flyway.locations=classpath:db/contract/hash", "dual-write.secondary.timeout=10s",
                "dual-write.control.in-flight-grace=15s",
                "dual-write.secondary.circuit-breaker.minimum-number-of-calls=100000" })
class ConcurrentWritersConvergeTests {

    private static final String KEYSPACE_PREFIX = Item.KEYSPACE;

    private static final ContractStores stores = ContractStores.start(ConcurrentWritersConvergeTests.class,
            KEYSPACE_PREFIX);

    private static final int THREADS = 8;

    private static final int KEYS = 12;

    private static final int OPERATIONS_PER_THREAD = 150;

    private static final int FLIP_EVERY = 5;

    @Autowired
    private ItemRepository repository;

    @Autowired
    private StrategySource strategies;

    @Autowired
    private RedisRepairLog redisRepairLog;

    @Autowired
    private PostgresRepairLog postgresRepairLog;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        stores.register(registry);
    }

    @AfterAll
    static void cleanUp() {
        stores.clear(List.of("hash_items"), List.of("hash_items"));
        stores.close();
    }

    @BeforeEach
    void clean() {
        stores.clear(List.of("hash_items"), List.of("hash_items"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "DUAL", "POSTGRES_PRIMARY", "MIXED" })
    void concurrentSavesAndDeletesOfTheSameKeysLeaveBothStoresEqual(String mode) throws Exception {
        boolean mixed = mode.equals("MIXED");
        this.strategies.change("hash_items", mixed ? WriteStrategy.DUAL : WriteStrategy.valueOf(mode), true);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Integer>> writers = new ArrayList<>();
            for (int thread = 0; thread < THREADS; thread++) {
                int writer = thread;
                writers.add(pool.submit(() -> write(writer, mixed)));
            }
            int operations = 0;
            for (Future<Integer> writer : writers) {
                operations += writer.get(120, TimeUnit.SECONDS);
            }
            assertThat(operations).isEqualTo(THREADS * OPERATIONS_PER_THREAD);
        }
        finally {
            pool.shutdownNow();
        }
        // A DUAL write's last step, confirming its copy against Redis (and copying the key
        // again if a concurrent write overtook it), runs off the caller's path as its intent
        // closes: the stores are compared once no intent is left.
        await().atMost(Duration.ofMinutes(1))
            .until(() -> this.redisRepairLog.openIntents("hash_items") == 0);
        int present = 0;
        for (int key = 0; key < KEYS; key++) {
            String id = "k" + key;
            Optional<String> inRedis = nameInRedis(id);
            Optional<String> inPostgres = nameInPostgres(id);
            assertThat(inPostgres).as("key %s: PostgreSQL equals Redis", id).isEqualTo(inRedis);
            present += inRedis.isPresent() ? 1 : 0;
        }
        assertThat(this.redisRepairLog.pendingCount("hash_items")).isZero();
        assertThat(this.postgresRepairLog.pendingCount("hash_items")).isZero();
        System.out.printf("%s: %d operations on %d keys by %d threads; %d keys present at the end, all equal%n", mode,
                THREADS * OPERATIONS_PER_THREAD, KEYS, THREADS, present);
    }

    private int write(int writer, boolean mixed) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < OPERATIONS_PER_THREAD; i++) {
            if (mixed && i % FLIP_EVERY == 0) {
                // Paced by operations, not by time: the strategy changes while other writers are
                // mid-write, as when instances one stage apart write the same keys. Forced: the
                // gates of a move are not what this test is about.
                this.strategies.change("hash_items", random.nextBoolean() ? WriteStrategy.DUAL
                        : WriteStrategy.POSTGRES_PRIMARY, true);
            }
            String id = "k" + random.nextInt(KEYS);
            if (random.nextInt(4) == 0) {
                this.repository.deleteById(id);
            }
            else {
                this.repository.save(new Item(id, "w" + writer + "-" + i, "c" + random.nextInt(3), i));
            }
        }
        return OPERATIONS_PER_THREAD;
    }

    private Optional<String> nameInRedis(String id) {
        return Optional.ofNullable(stores.redis().<String, String>opsForHash().get(Item.KEYSPACE + ":" + id, "name"));
    }

    private Optional<String> nameInPostgres(String id) {
        return stores.postgres()
            .queryForList("select name from hash_items where id = ?", String.class, id)
            .stream()
            .findFirst();
    }

}
