package dev.dualwrite.contract.hash;

import java.util.List;

import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.contract.hash.redis.ItemRepository;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.repair.RepairRecord;
import dev.dualwrite.core.secondary.SecondaryWriteException;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code dual-write.secondary.failure-policy=STRICT}: a failed secondary write is still
 * recorded for repair, and then thrown to the caller.
 */
@DirtiesContext
@SpringBootTest(classes = HashContractApplication.class,
        properties = { "spring.flyway.locations=classpath:db/contract/hash", "dual-write.strategy=DUAL",
                "dual-write.secondary.failure-policy=STRICT", "dual-write.secondary.timeout=2s" })
class StrictFailurePolicyTests {

    private static final ContractStores stores = ContractStores.start(StrictFailurePolicyTests.class, Item.KEYSPACE);

    @Autowired
    private ItemRepository repository;

    @Autowired
    private StrategySource strategies;

    @Autowired
    private RedisRepairLog repairLog;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        stores.register(registry);
    }

    @AfterEach
    void restore() {
        stores.restore();
    }

    @AfterAll
    static void cleanUp() {
        stores.clear(List.of("hash_items"), List.of("hash_items"));
        stores.close();
    }

    @Test
    void strictPolicyThrowsAfterRecordingTheKeyForRepair() {
        assertThat(this.strategies.strategyFor("hash_items")).isEqualTo(WriteStrategy.DUAL);
        stores.postgresProxy().refuseConnections();
        assertThatThrownBy(() -> this.repository.save(new Item("s1", "Strict", "x", 1)))
            .isInstanceOf(SecondaryWriteException.class)
            .hasMessageContaining("'hash_items'")
            .hasMessageContaining("'s1'")
            .hasMessageContaining("POSTGRES")
            .hasMessageContaining("the primary store holds the write");
        assertThat(stores.redis().opsForHash().get(Item.KEYSPACE + ":s1", "name")).isEqualTo("Strict");
        assertThat(this.repairLog.pending("hash_items", 10)).extracting(RepairRecord::key).containsExactly("s1");
    }

}
