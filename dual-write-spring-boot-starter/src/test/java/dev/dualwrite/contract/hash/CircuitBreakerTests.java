package dev.dualwrite.contract.hash;

import java.util.List;

import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.contract.TestMeters;
import dev.dualwrite.contract.hash.redis.ItemRepository;
import dev.dualwrite.core.metrics.DualWriteMetrics;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.repair.RepairRecord;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Once the secondary store has failed often enough, its circuit breaker opens and further
 * secondary writes are recorded for repair at once, without being tried.
 */
@DirtiesContext
@SpringBootTest(classes = { HashContractApplication.class, TestMeters.class },
        properties = { "spring.flyway.locations=classpath:db/contract/hash", "dual-write.strategy=DUAL",
                "dual-write.secondary.timeout=3s", "dual-write.secondary.circuit-breaker.sliding-window-size=4",
                "dual-write.secondary.circuit-breaker.minimum-number-of-calls=4",
                "dual-write.secondary.circuit-breaker.wait-duration-in-open-state=10m" })
class CircuitBreakerTests {

    private static final ContractStores stores = ContractStores.start(CircuitBreakerTests.class, Item.KEYSPACE);

    @Autowired
    private ItemRepository repository;

    @Autowired
    private RedisRepairLog repairLog;

    @Autowired
    private MeterRegistry meters;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        stores.register(registry);
    }

    @AfterAll
    static void cleanUp() {
        stores.clear(List.of("hash_items"), List.of("hash_items"));
        stores.close();
    }

    @Test
    void anOpenBreakerRecordsSecondaryWritesForRepairWithoutTryingThem() {
        stores.postgresProxy().refuseConnections();
        for (int i = 0; i < 4; i++) {
            this.repository.save(new Item("f" + i, "Failing", "x", i));
        }
        // Even with PostgreSQL back, the breaker stays open for its wait duration.
        stores.restore();
        this.repository.save(new Item("skipped", "Skipped", "x", 1));
        assertThat(this.repairLog.pending("hash_items", 10)).filteredOn((record) -> record.key().equals("skipped"))
            .singleElement()
            .extracting(RepairRecord::reason)
            .asString()
            .contains("circuit breaker 'dualwrite-postgres' is open");
        assertThat(stores.postgres().queryForList("select id from hash_items", String.class)).isEmpty();
        assertThat(this.meters.get(DualWriteMetrics.SECONDARY_FAILURES)
            .tags("repository", "hash_items", "store", "postgres", "reason", "circuit_open")
            .counter()
            .count()).isEqualTo(1);
        assertThat(this.meters.get(DualWriteMetrics.SECONDARY_FAILURES)
            .tags("repository", "hash_items", "store", "postgres", "reason", "error")
            .counter()
            .count() + this.meters.get(DualWriteMetrics.SECONDARY_FAILURES)
                .tags("repository", "hash_items", "store", "postgres", "reason", "timeout")
                .counter()
                .count()).isEqualTo(4);
        assertThat(this.meters.get(DualWriteMetrics.REPAIR_PENDING)
            .tags("repository", "hash_items", "store", "postgres")
            .gauge()
            .value()).isEqualTo(5);
    }

}
