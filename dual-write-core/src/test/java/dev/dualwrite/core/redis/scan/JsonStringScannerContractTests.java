package dev.dualwrite.core.redis.scan;

import dev.dualwrite.core.redis.json.RedisJson;
import dev.dualwrite.core.redis.json.RedisJsonCodec;
import dev.dualwrite.core.redis.json.RedisJsonEntityInformation;
import dev.dualwrite.core.redis.json.RedisJsonMappingContext;
import dev.dualwrite.core.redis.json.RedisJsonPersistentEntity;
import dev.dualwrite.core.store.scan.OldStoreScanner;
import dev.dualwrite.core.store.scan.ScanSettings;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestServers;
import dev.dualwrite.testsupport.contract.AbstractOldStoreScannerContractTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.data.annotation.Id;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * {@link JsonStringScanner} keeps the scanner protocol: JSON strings under a key prefix of the
 * test class's own, written with the repository's codec; a malformed JSON string is the
 * reject case.
 */
class JsonStringScannerContractTests
        extends AbstractOldStoreScannerContractTests<JsonStringScannerContractTests.Item, String> {

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(JsonStringScannerContractTests.class);

    private static LettuceConnectionFactory connections;

    private static StringRedisTemplate redis;

    private static RedisJsonEntityInformation<Item, String> information;

    private static RedisJsonCodec<Item, String> codec;

    @BeforeAll
    static void connect() {
        RedisServer server = TestServers.redis();
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration(server.host(), server.port()));
        connections.afterPropertiesSet();
        connections.start();
        redis = new StringRedisTemplate(connections);
        RedisJsonMappingContext context = new RedisJsonMappingContext();
        @SuppressWarnings("unchecked")
        RedisJsonPersistentEntity<Item> entity = (RedisJsonPersistentEntity<Item>) context
            .getRequiredPersistentEntity(Item.class);
        information = new RedisJsonEntityInformation<>(entity, keys.key("item:"),
                DefaultConversionService.getSharedInstance());
        codec = new RedisJsonCodec<>(JsonMapper.builder().build(), information, entity);
    }

    @AfterAll
    static void disconnect() {
        connections.destroy();
    }

    @Override
    protected OldStoreScanner<Item, String> createScanner() {
        return new JsonStringScanner<>(connections, information, codec);
    }

    @Override
    protected String id(int n) {
        return "c" + n;
    }

    @Override
    protected void put(String id, String name) {
        redis.opsForValue().set(keys.key("item:" + id), codec.write(new Item(id, name)));
    }

    @Override
    protected void delete(String id) {
        redis.delete(keys.key("item:" + id));
    }

    @Override
    protected String nameOf(Item item) {
        return item.name();
    }

    @Override
    protected void clear() {
        keys.deleteKeys();
    }

    @Override
    protected boolean putUnreadable(String id) {
        redis.opsForValue().set(keys.key("item:" + id), "{\"id\": \"" + id + "\", \"name\": ");
        return true;
    }

    // A step gathers whole SCAN replies until it has the batch size, and COUNT is a hint: the
    // last reply may bring about COUNT keys more, up to twice that while Redis rehashes.
    @Override
    protected int batchLimit(ScanSettings settings) {
        return settings.batchSize() - 1 + 2 * settings.scanCount();
    }

    // SCAN walks the whole server's keyspace (shared with other test classes), not just the
    // prefix: an empty prefix takes as many steps as the server has keys to walk, bounded by
    // maxSteps().
    @Override
    protected int stepsOverAnEmptyStore() {
        return Integer.MAX_VALUE;
    }

    // Every step makes at least one SCAN call, which moves the cursor past at least one bucket of
    // the server's hash table: at most twice as many buckets as keys, two tables while Redis
    // rehashes. So a scan takes at most 4 steps per key the server holds now (plus the contract's
    // margin for keys other tests add meanwhile), however many foreign keys that is.
    @Override
    protected int maxSteps() {
        Long keys = redis.execute((RedisCallback<Long>) (connection) -> connection.serverCommands().dbSize());
        long bound = super.maxSteps() + 4 * ((keys != null) ? keys : 0);
        return (int) Math.min(Integer.MAX_VALUE, bound);
    }

    @RedisJson(keyPrefix = "item:")
    record Item(@Id String id, String name) {
    }

}
