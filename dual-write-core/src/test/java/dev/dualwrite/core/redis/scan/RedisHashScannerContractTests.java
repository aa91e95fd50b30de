package dev.dualwrite.core.redis.scan;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.dualwrite.core.store.scan.OldStoreScanner;
import dev.dualwrite.core.store.scan.ScanSettings;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestServers;
import dev.dualwrite.testsupport.contract.AbstractOldStoreScannerContractTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.redis.core.convert.KeyspaceConfiguration;
import org.springframework.data.redis.core.convert.MappingConfiguration;
import org.springframework.data.redis.core.convert.MappingRedisConverter;
import org.springframework.data.redis.core.convert.RedisData;
import org.springframework.data.redis.core.index.IndexConfiguration;
import org.springframework.data.redis.core.mapping.RedisMappingContext;

/**
 * {@link RedisHashScanner} keeps the scanner protocol: {@code @RedisHash} entities as Spring
 * Data Redis keeps them (a hash per entity and the keyspace's set of ids), in a keyspace under
 * the test class's own key prefix; an id whose key holds a string instead of a hash is the
 * reject case.
 */
class RedisHashScannerContractTests
        extends AbstractOldStoreScannerContractTests<RedisHashScannerContractTests.Shelf, String> {

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(RedisHashScannerContractTests.class);

    private static LettuceConnectionFactory connections;

    private static MappingRedisConverter converter;

    private static String keyspace;

    @BeforeAll
    static void connect() {
        RedisServer server = TestServers.redis();
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration(server.host(), server.port()));
        connections.afterPropertiesSet();
        connections.start();
        keyspace = keys.key("shelves");
        KeyspaceConfiguration keyspaces = new KeyspaceConfiguration() {

            @Override
            protected Iterable<KeyspaceSettings> initialConfiguration() {
                return List.of(new KeyspaceSettings(Shelf.class, keyspace));
            }

        };
        RedisMappingContext context = new RedisMappingContext(
                new MappingConfiguration(new IndexConfiguration(), keyspaces));
        converter = new MappingRedisConverter(context);
        converter.afterPropertiesSet();
    }

    @AfterAll
    static void disconnect() {
        connections.destroy();
    }

    @Override
    protected OldStoreScanner<Shelf, String> createScanner() {
        return new RedisHashScanner<>(connections, converter, Shelf.class, String.class);
    }

    // Not numbers: a set of numbers stays compact (intset, returned whole by SSCAN) up to 512
    // members, a set of other strings up to 128 (listpack).
    @Override
    protected String id(int n) {
        return "s" + n;
    }

    @Override
    protected void put(String id, String name) {
        // As the Redis repositories write an entity: its hash, and its id in the keyspace's set.
        RedisData data = new RedisData();
        converter.write(new Shelf(id, name), data);
        try (RedisConnection connection = connections.getConnection()) {
            connection.hashCommands().hMSet(bytes(keyspace + ":" + id), data.getBucket().rawMap());
            connection.setCommands().sAdd(bytes(keyspace), bytes(id));
        }
    }

    @Override
    protected void delete(String id) {
        try (RedisConnection connection = connections.getConnection()) {
            connection.keyCommands().del(bytes(keyspace + ":" + id));
            connection.setCommands().sRem(bytes(keyspace), bytes(id));
        }
    }

    @Override
    protected String nameOf(Shelf shelf) {
        return shelf.name();
    }

    @Override
    protected void clear() {
        keys.deleteKeys();
    }

    @Override
    protected boolean putUnreadable(String id) {
        try (RedisConnection connection = connections.getConnection()) {
            connection.stringCommands().set(bytes(keyspace + ":" + id), bytes("not a hash"));
            connection.setCommands().sAdd(bytes(keyspace), bytes(id));
        }
        return true;
    }

    // SSCAN returns a small set (intset or listpack encoded) whole, whatever COUNT says: a
    // batch of a keyspace of a few dozen ids is the whole set.
    @Override
    protected int batchLimit(ScanSettings settings) {
        return Integer.MAX_VALUE;
    }

    // Past the 128 members that SSCAN returns whole: a scan of this many takes several steps.
    @Override
    protected int entitiesSpanningSeveralSteps() {
        return 200;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @RedisHash
    record Shelf(@Id String id, String name) {
    }

}
