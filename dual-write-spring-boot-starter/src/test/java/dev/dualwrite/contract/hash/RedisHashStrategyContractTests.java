package dev.dualwrite.contract.hash;

import java.util.List;
import java.util.Optional;

import dev.dualwrite.contract.AbstractRedisStrategyContractTests;
import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.contract.hash.redis.ItemRepository;
import dev.dualwrite.core.routing.UnroutableMethodException;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.RedisKeyValueTemplate;
import org.springframework.data.repository.CrudRepository;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The strategy contract for Spring Data Redis {@code @RedisHash} repositories.
 */
@DirtiesContext
@SpringBootTest(classes = HashContractApplication.class, properties = {
        "spring.flyway.locations=classpath:db/contract/hash", "dual-write.secondary.timeout=2s",
        "dual-write.secondary.circuit-breaker.minimum-number-of-calls=100000" })
class RedisHashStrategyContractTests extends AbstractRedisStrategyContractTests<Item> {

    private static final ContractStores stores = ContractStores.start(RedisHashStrategyContractTests.class,
            Item.KEYSPACE);

    @Autowired
    private ItemRepository repository;

    // Spring Data Redis's own template: writes hashes and indexes exactly as the repository
    // would, without going through the decorator.
    @Autowired
    private RedisKeyValueTemplate keyValueTemplate;

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
    void aHandWrittenFragmentMethodIsRefusedOnceBothStoresAreInPlay() {
        use(WriteStrategy.REDIS_PRIMARY);
        assertThat(this.repository.renameEverything("x")).isZero();
        use(WriteStrategy.DUAL);
        assertThatThrownBy(() -> this.repository.renameEverything("x")).isInstanceOf(UnroutableMethodException.class)
            .hasMessageContaining("'hash_items'")
            .hasMessageContaining("ItemRepositoryCustom.renameEverything(String)")
            .hasMessageContaining("cannot tell whether it writes");
    }

    @Override
    protected ContractStores stores() {
        return stores;
    }

    @Override
    protected String repositoryName() {
        return "hash_items";
    }

    @Override
    protected CrudRepository<Item, String> repository() {
        return this.repository;
    }

    @Override
    protected Item item(String id, String name, String category) {
        return new Item(id, name, category, 1);
    }

    @Override
    protected String nameOf(Item item) {
        return item.name();
    }

    @Override
    protected List<Item> findByCategory(String category) {
        return this.repository.findByCategory(category);
    }

    @Override
    protected long deleteByCategory(String category) {
        return this.repository.deleteByCategory(category);
    }

    @Override
    protected List<Item> findByName(String name) {
        return this.repository.findByName(name);
    }

    @Override
    protected void putInOld(String id, String name, String category) {
        this.keyValueTemplate.update(id, new Item(id, name, category, 1));
    }

    @Override
    protected Optional<String> nameInOld(String id) {
        return Optional.ofNullable(stores.redis().<String, String>opsForHash().get(Item.KEYSPACE + ":" + id, "name"));
    }

}
