package dev.dualwrite.contract.hash;

import java.security.Principal;
import java.time.Duration;
import java.util.List;

import dev.dualwrite.autoconfigure.endpoint.DualWriteEndpoint;
import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.contract.hash.redis.ItemRepository;
import dev.dualwrite.core.strategy.StrategyChangeException;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Leaving DUAL forward while keys await repair in PostgreSQL is refused: after the move
 * they would be settled from PostgreSQL, the store that missed their latest writes.
 */
@DirtiesContext
@SpringBootTest(classes = HashContractApplication.class,
        properties = { "spring.flyway.locations=classpath:db/contract/hash", "dual-write.strategy=DUAL",
                "dual-write.repair.enabled=false", "management.endpoints.web.exposure.include=dualwrite" })
class StrategyChangeGateTests {

    private static final ContractStores stores = ContractStores.start(StrategyChangeGateTests.class, Item.KEYSPACE);

    private static final Principal operator = () -> "operator";

    @Autowired
    private ItemRepository repository;

    @Autowired
    private StrategySource strategies;

    @Autowired
    private DualWriteEndpoint endpoint;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        stores.register(registry);
    }

    @AfterAll
    static void cleanUp() {
        stores.restore();
        stores.clear(List.of("hash_items"), List.of("hash_items"));
        stores.close();
    }

    @Test
    void movingPastDualWithRepairsPendingIsRefusedUnlessForced() {
        stores.postgresProxy().refuseConnections();
        this.repository.save(new Item("behind", "Behind", "x", 1));
        stores.restore();
        // The pool may still hand out a connection the proxy cut: such an attempt fails with a
        // transaction error (and evicts that connection); the refusal must come once they are gone.
        await().atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThatThrownBy(
                    () -> this.endpoint.change("hash_items", WriteStrategy.POSTGRES_PRIMARY, false, null, operator))
                .isInstanceOf(StrategyChangeException.class)
                .hasMessageContaining("repairs FAILED: 1 key(s) await repair in PostgreSQL")
                .hasMessageContaining("let the reconciler drain them"));
        assertThat(this.strategies.strategyFor("hash_items")).isEqualTo(WriteStrategy.DUAL);
        this.endpoint.change("hash_items", WriteStrategy.POSTGRES_PRIMARY, true, "test of the override", operator);
        assertThat(this.strategies.strategyFor("hash_items")).isEqualTo(WriteStrategy.POSTGRES_PRIMARY);
    }

}
