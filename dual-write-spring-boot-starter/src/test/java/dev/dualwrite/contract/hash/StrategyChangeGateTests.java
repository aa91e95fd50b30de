package dev.dualwrite.contract.hash;

import java.security.Principal;
import java.util.List;

import dev.dualwrite.autoconfigure.endpoint.DualWriteEndpoint;
import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.contract.hash.redis.ItemRepository;
import dev.dualwrite.core.repair.RedisRepairKeys;
import dev.dualwrite.core.strategy.StrategyChange;
import dev.dualwrite.core.strategy.StrategyChangeException;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Leaving DUAL forward while keys await repair in PostgreSQL is refused: after the move
 * they would be settled from PostgreSQL, the store that missed their latest writes. So is
 * the move on to POSTGRES_ONLY, after which Redis would no longer be read to repair them.
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

    @Autowired
    private JdbcTemplate jdbc;

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
    void aMoveIsNotLostToAPooledConnectionThatDied() {
        WriteStrategy current = this.strategies.strategyFor("hash_items");
        WriteStrategy back = (current == WriteStrategy.REDIS_PRIMARY) ? WriteStrategy.DUAL : WriteStrategy.REDIS_PRIMARY;
        // The pool hands a connection used a moment ago out again without checking it: reset
        // it under the pool's feet, as a PostgreSQL restart or a network cut would.
        this.jdbc.queryForObject("select 1", Integer.class);
        stores.postgresProxy().dropConnections();
        StrategyChange change = this.strategies.change("hash_items", back, true);
        assertThat(change.to()).isEqualTo(back);
        assertThat(this.strategies.strategyFor("hash_items")).isEqualTo(back);
        this.strategies.change("hash_items", current, true);
    }

    @Test
    void movingPastDualWithRepairsPendingIsRefusedUnlessForced() {
        stores.postgresProxy().refuseConnections();
        this.repository.save(new Item("behind", "Behind", "x", 1));
        stores.restore();
        // The pool still holds connections the proxy cut: the move is tried again on another
        // connection, and refused for what it is.
        assertThatThrownBy(
                () -> this.endpoint.change("hash_items", WriteStrategy.POSTGRES_PRIMARY, false, null, operator))
            .isInstanceOf(StrategyChangeException.class)
            .hasMessageContaining("repairs FAILED: 1 key(s) await repair in PostgreSQL")
            .hasMessageContaining("let the reconciler drain them");
        assertThat(this.strategies.strategyFor("hash_items")).isEqualTo(WriteStrategy.DUAL);
        this.endpoint.change("hash_items", WriteStrategy.POSTGRES_PRIMARY, true, "test of the override", operator);
        assertThat(this.strategies.strategyFor("hash_items")).isEqualTo(WriteStrategy.POSTGRES_PRIMARY);
    }

    @Test
    void movingFromPostgresPrimaryToPostgresOnlyWhilePostgresIsOwedAKeyFromDualIsRefused() {
        forgetRedisLog();
        this.strategies.change("hash_items", WriteStrategy.DUAL, true);
        // A DUAL write whose copy failed: PostgreSQL misses it, the Redis log records it.
        stores.postgresProxy().refuseConnections();
        this.repository.save(new Item("owed", "Owed", "x", 1));
        stores.restore();
        assertThat(stores.redis().opsForHash().hasKey(RedisRepairKeys.DEFAULT.records("hash_items"), "owed")).isTrue();
        // Forced past the gate of leaving DUAL, as a move that did not see the key would pass.
        this.strategies.change("hash_items", WriteStrategy.POSTGRES_PRIMARY, true);

        // Past POSTGRES_ONLY Redis is no source any more: the key would never be repaired.
        assertThatThrownBy(
                () -> this.endpoint.change("hash_items", WriteStrategy.POSTGRES_ONLY, false, null, operator))
            .isInstanceOf(StrategyChangeException.class)
            .hasMessageContaining("repairs FAILED: 1 key(s) await repair in PostgreSQL");
        assertThat(this.strategies.strategyFor("hash_items")).isEqualTo(WriteStrategy.POSTGRES_PRIMARY);
        forgetRedisLog();
    }

    private static void forgetRedisLog() {
        stores.redis().delete(RedisRepairKeys.DEFAULT.all("hash_items"));
    }

}
