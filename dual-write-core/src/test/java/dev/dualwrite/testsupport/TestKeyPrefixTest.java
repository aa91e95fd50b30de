package dev.dualwrite.testsupport;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

class TestKeyPrefixTest {

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(TestKeyPrefixTest.class);

    private static RedisClient client;

    private static StatefulRedisConnection<String, String> connection;

    @BeforeAll
    static void connect() {
        RedisServer server = TestServers.redis();
        client = RedisClient.create(RedisURI.create(server.host(), server.port()));
        connection = client.connect();
    }

    @AfterAll
    static void disconnect() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    @Test
    void closeDeletesEveryKeyUnderThePrefixAndNothingElse() {
        RedisCommands<String, String> redis = connection.sync();
        TestKeyPrefix mine = TestKeyPrefix.create(TestServers.redis(), "Mine");
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < 2_500; i++) { // several SCAN pages
            values.put(mine.key("token:" + i), "v");
        }
        redis.mset(values);
        redis.hset(mine.key("hash"), "field", "v");
        redis.set(keys.key("neighbour"), "stays");

        mine.close();

        assertThat(redis.exists(values.keySet().toArray(String[]::new))).isZero();
        assertThat(redis.exists(mine.key("hash"))).isZero();
        assertThat(redis.get(keys.key("neighbour"))).isEqualTo("stays");
    }

    @Test
    void prefixesAreUniquePerInstanceAndNamedAfterTheLabel() {
        assertThat(keys.prefix()).startsWith("dw-test:testkeyprefixtest:").endsWith(":");
        assertThat(TestKeyPrefix.create(TestServers.redis(), "x").prefix())
            .isNotEqualTo(TestKeyPrefix.create(TestServers.redis(), "x").prefix());
    }

}
