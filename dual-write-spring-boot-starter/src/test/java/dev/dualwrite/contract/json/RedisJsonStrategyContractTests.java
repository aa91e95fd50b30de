package dev.dualwrite.contract.json;

import java.util.List;
import java.util.Optional;

import dev.dualwrite.contract.AbstractRedisStrategyContractTests;
import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.contract.json.redis.JsonItemRepository;
import org.junit.jupiter.api.AfterAll;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.repository.CrudRepository;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The strategy contract for JSON-string repositories under a key prefix.
 */
@DirtiesContext
@SpringBootTest(classes = JsonContractApplication.class, properties = {
        "spring.flyway.locations=classpath:db/contract/json", "dual-write.secondary.timeout=2s",
        "dual-write.secondary.circuit-breaker.minimum-number-of-calls=100000" })
class RedisJsonStrategyContractTests extends AbstractRedisStrategyContractTests<JsonItem> {

    private static final ContractStores stores = ContractStores.start(RedisJsonStrategyContractTests.class,
            JsonItem.PREFIX);

    private static final JsonMapper json = JsonMapper.builder().build();

    @Autowired
    private JsonItemRepository repository;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        stores.register(registry);
    }

    @AfterAll
    static void cleanUp() {
        stores.clear(List.of("json_items"), List.of("json_items"));
        stores.close();
    }

    @Override
    protected ContractStores stores() {
        return stores;
    }

    @Override
    protected String repositoryName() {
        return "json_items";
    }

    @Override
    protected CrudRepository<JsonItem, String> repository() {
        return this.repository;
    }

    @Override
    protected JsonItem item(String id, String name, String category) {
        return new JsonItem(id, name, category, 1);
    }

    @Override
    protected String nameOf(JsonItem item) {
        return item.name();
    }

    @Override
    protected List<JsonItem> findByCategory(String category) {
        return this.repository.findByCategory(category);
    }

    @Override
    protected long deleteByCategory(String category) {
        return this.repository.deleteByCategory(category);
    }

    @Override
    protected List<JsonItem> findByName(String name) {
        return this.repository.findByName(name);
    }

    @Override
    protected void putInOld(String id, String name, String category) {
        stores.redis().opsForValue().set(JsonItem.PREFIX + id, json.writeValueAsString(new JsonItem(id, name, category, 1)));
    }

    @Override
    protected Optional<String> nameInOld(String id) {
        return Optional.ofNullable(stores.redis().opsForValue().get(JsonItem.PREFIX + id))
            .map((value) -> json.readTree(value).get("name"))
            .map(JsonNode::asString);
    }

    @Override
    protected boolean copiesTheWrittenStateInDual() {
        return true;
    }

}
