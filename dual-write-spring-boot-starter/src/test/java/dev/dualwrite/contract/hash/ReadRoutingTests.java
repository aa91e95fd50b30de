package dev.dualwrite.contract.hash;

import java.security.Principal;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.dualwrite.autoconfigure.endpoint.DualWriteEndpoint;
import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.contract.TestMeters;
import dev.dualwrite.contract.hash.redis.ItemRepository;
import dev.dualwrite.core.metrics.DualWriteMetrics;
import dev.dualwrite.core.routing.ReadRouting;
import dev.dualwrite.core.routing.ReadRoutingSource;
import dev.dualwrite.core.routing.ShadowMismatch;
import dev.dualwrite.core.routing.ShadowReads;
import dev.dualwrite.core.strategy.StrategyChangeException;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.RedisKeyValueTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Ramped reads (a sticky share of DUAL's reads served by PostgreSQL, with fallback to Redis)
 * and shadow reads (a share of reads compared with the other store, off the caller's thread),
 * against the real servers. Stores are seeded directly with different values so every answer
 * says which store gave it.
 */
@DirtiesContext
@SpringBootTest(classes = { HashContractApplication.class, TestMeters.class },
        properties = { "spring.flyway.locations=classpath:db/contract/hash", "dual-write.secondary.timeout=2s",
                "dual-write.secondary.circuit-breaker.minimum-number-of-calls=100000",
                "management.endpoints.web.exposure.include=dualwrite" })
class ReadRoutingTests {

    private static final ContractStores stores = ContractStores.start(ReadRoutingTests.class, Item.KEYSPACE);

    private static final String REPOSITORY = "hash_items";

    @Autowired
    private ItemRepository repository;

    @Autowired
    private StrategySource strategies;

    @Autowired
    private ReadRoutingSource routings;

    @Autowired
    private ShadowReads shadowReads;

    @Autowired
    private DualWriteEndpoint endpoint;

    @Autowired
    private RedisKeyValueTemplate keyValueTemplate;

    @Autowired
    private MeterRegistry meters;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        stores.register(registry);
    }

    @BeforeEach
    void clean() {
        stores.restore();
        stores.clear(List.of(REPOSITORY), List.of(REPOSITORY));
        this.strategies.change(REPOSITORY, WriteStrategy.DUAL, true);
    }

    @AfterEach
    void reset() {
        stores.restore();
        this.routings.change(REPOSITORY, ReadRouting.NONE);
    }

    @AfterAll
    static void cleanUp() {
        stores.clear(List.of(REPOSITORY), List.of(REPOSITORY));
        stores.close();
    }

    @Test
    void rampedReadsServeAStickyShareOfKeysFromPostgres() {
        for (int i = 0; i < 100; i++) {
            seed("k" + i, "redis", "postgres");
        }
        this.routings.change(REPOSITORY, new ReadRouting(30, Map.of(), 0));
        Set<String> fromPostgres = keysServedByPostgres();
        assertThat(fromPostgres).hasSizeBetween(10, 50);
        assertThat(keysServedByPostgres()).as("the same keys again").isEqualTo(fromPostgres);
        this.routings.change(REPOSITORY, new ReadRouting(60, Map.of(), 0));
        Set<String> more = keysServedByPostgres();
        assertThat(more).as("raising the share only moves more keys over").containsAll(fromPostgres)
            .hasSizeGreaterThan(fromPostgres.size());
        this.routings.change(REPOSITORY, new ReadRouting(100, Map.of(), 0));
        assertThat(keysServedByPostgres()).hasSize(100);
    }

    @Test
    void aRampedReadFallsBackToRedisWhenPostgresMissesOrFails() {
        putInRedis("only-redis", "redis");
        seed("both", "redis", "postgres");
        this.routings.change(REPOSITORY, new ReadRouting(100, Map.of(), 0));
        double misses = fallbacks("miss");
        double errors = fallbacks("error");
        assertThat(this.repository.findById("only-redis")).map(Item::name).contains("redis");
        assertThat(fallbacks("miss")).isEqualTo(misses + 1);
        stores.postgresProxy().refuseConnections();
        assertThat(this.repository.findById("both")).map(Item::name).contains("redis");
        assertThat(fallbacks("error")).isEqualTo(errors + 1);
    }

    @Test
    void aMethodCanBeRampedOnItsOwn() {
        seed("a", "redis", "postgres");
        this.routings.change(REPOSITORY, new ReadRouting(0, Map.of("findByCategory", 100), 0));
        assertThat(this.repository.findByCategory("c")).extracting(Item::name).containsExactly("postgres");
        assertThat(this.repository.findById("a")).map(Item::name).contains("redis");
    }

    @Test
    void shadowReadsCountMismatchesAndKeepTheDifferingFieldsOnly() {
        seed("same", "Same", "Same");
        seed("differs", "redis", "postgres");
        this.routings.change(REPOSITORY, new ReadRouting(0, Map.of(), 100));
        double matches = shadow("findById", "match");
        double mismatches = shadow("findById", "mismatch");
        assertThat(this.repository.findById("same")).map(Item::name).contains("Same");
        assertThat(this.repository.findById("differs")).map(Item::name).contains("redis");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(shadow("findById", "match")).isEqualTo(matches + 1);
            assertThat(shadow("findById", "mismatch")).isEqualTo(mismatches + 1);
        });
        assertThat(this.shadowReads.recentMismatches(REPOSITORY)).first()
            .satisfies((mismatch) -> {
                assertThat(mismatch.key()).isEqualTo("differs");
                assertThat(mismatch.method()).isEqualTo("findById");
                assertThat(mismatch.differences()).containsExactly("name");
            });
        assertThat(this.endpoint.repository(REPOSITORY).recentShadowMismatches()).extracting(ShadowMismatch::key)
            .contains("differs");
    }

    @Test
    void aRampedReadIsShadowedByRedis() {
        seed("a", "redis", "postgres");
        putInRedis("only-redis", "redis");
        this.routings.change(REPOSITORY, new ReadRouting(100, Map.of(), 100));
        double mismatches = shadow("findByCategory", "mismatch");
        assertThat(this.repository.findByCategory("c")).extracting(Item::name).containsExactly("postgres");
        await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(shadow("findByCategory", "mismatch")).isEqualTo(mismatches + 1));
        assertThat(this.shadowReads.recentMismatches(REPOSITORY)).first()
            .satisfies((mismatch) -> assertThat(mismatch.differences()).containsExactly("missing", "name"));
    }

    @Test
    void inPostgresPrimaryShadowReadsCompareWithRedis() {
        seed("differs", "redis", "postgres");
        // Forced: the stores differ on purpose here, which the gates of the move would refuse.
        this.strategies.change(REPOSITORY, WriteStrategy.POSTGRES_PRIMARY, true);
        this.routings.change(REPOSITORY, new ReadRouting(0, Map.of(), 100));
        double mismatches = shadow("findByCategory", "mismatch");
        assertThat(this.repository.findByCategory("c")).extracting(Item::name).containsExactly("postgres");
        await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(shadow("findByCategory", "mismatch")).isEqualTo(mismatches + 1));
    }

    @Test
    void aFailingShadowReadNeverFailsTheCaller() {
        seed("a", "redis", "postgres");
        this.routings.change(REPOSITORY, new ReadRouting(0, Map.of(), 100));
        stores.postgresProxy().refuseConnections();
        double errors = shadow("findById", "error");
        assertThat(this.repository.findById("a")).map(Item::name).contains("redis");
        await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(shadow("findById", "error")).isEqualTo(errors + 1));
    }

    @Test
    void rampingReadsUpThroughTheEndpointIsRefusedBeforeABackfillAndACleanVerification() {
        Principal operator = () -> "operator";
        assertThatThrownBy(() -> this.endpoint.changeReads(REPOSITORY, "reads", 10, null, null, operator))
            .isInstanceOf(StrategyChangeException.class)
            .hasMessageContaining("cannot serve reads from PostgreSQL yet")
            .hasMessageContaining("backfill FAILED")
            .hasMessageContaining("verification FAILED");
        assertThat(this.endpoint.repository(REPOSITORY).reads()).isEqualTo(ReadRouting.NONE);
        // Shadow reads only compare; they never serve an answer, so they need no gate.
        this.endpoint.changeReads(REPOSITORY, "reads", null, null, 5, operator);
        assertThat(this.endpoint.repository(REPOSITORY).reads()).isEqualTo(new ReadRouting(0, Map.of(), 5));
    }

    @Test
    void readSharesChangeAtRunTimeThroughTheEndpoint() {
        seed("a", "redis", "postgres");
        Principal operator = () -> "operator";
        // Ramped up as a configuration would (the stores differ on purpose, which the
        // endpoint's gate would refuse); turning a share down is never gated.
        this.routings.change(REPOSITORY, new ReadRouting(100, Map.of(), 5));
        assertThat(this.repository.findById("a")).map(Item::name).contains("postgres");
        this.endpoint.changeReads(REPOSITORY, "reads", 0, "findById", null, operator);
        assertThat(this.repository.findById("a")).map(Item::name).contains("redis");
        assertThat(this.endpoint.repository(REPOSITORY).reads())
            .isEqualTo(new ReadRouting(100, Map.of("findById", 0), 5));
    }

    private Set<String> keysServedByPostgres() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String id = "k" + i;
            if (this.repository.findById(id).map(Item::name).orElseThrow().equals("postgres")) {
                keys.add(id);
            }
        }
        return keys;
    }

    private void seed(String id, String redisName, String postgresName) {
        putInRedis(id, redisName);
        stores.postgres().update("insert into hash_items (id, name, category, quantity) values (?, ?, 'c', 1)", id,
                postgresName);
    }

    private void putInRedis(String id, String name) {
        this.keyValueTemplate.update(id, new Item(id, name, "c", 1));
    }

    private double fallbacks(String reason) {
        return this.meters.get(DualWriteMetrics.READ_FALLBACKS).tags("repository", REPOSITORY, "reason", reason)
            .counter().count();
    }

    private double shadow(String method, String outcome) {
        return this.meters.get(DualWriteMetrics.SHADOW_READS)
            .tags("repository", REPOSITORY, "method", method, "outcome", outcome)
            .counter()
            .count();
    }

}
