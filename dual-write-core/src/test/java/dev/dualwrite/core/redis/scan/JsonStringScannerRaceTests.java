package dev.dualwrite.core.redis.scan;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.dualwrite.core.redis.json.RedisJson;
import dev.dualwrite.core.redis.json.RedisJsonCodec;
import dev.dualwrite.core.redis.json.RedisJsonEntityInformation;
import dev.dualwrite.core.redis.json.RedisJsonMappingContext;
import dev.dualwrite.core.redis.json.RedisJsonPersistentEntity;
import dev.dualwrite.core.store.scan.ScanSettings;
import dev.dualwrite.core.store.scan.ScannedEntry;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.data.annotation.Id;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reading keys that live writes delete and create again at the same moment, as the verifier
 * and the backfill do under traffic: a key is found with its value or not found, never set
 * aside as "another Redis type" because it was deleted when {@code MGET} read it and back by
 * the time the scanner asked its type.
 */
class JsonStringScannerRaceTests {

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(JsonStringScannerRaceTests.class);

    private static LettuceConnectionFactory connections;

    @BeforeAll
    static void connect() {
        RedisServer server = TestServers.redis();
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration(server.host(), server.port()));
        connections.afterPropertiesSet();
        connections.start();
    }

    @AfterAll
    static void disconnect() {
        connections.destroy();
    }

    @Test
    void aKeyDeletedAndCreatedAgainWhileReadIsFoundOrMissingNeverRejected() throws Exception {
        String key = keys.key("item:flicker");
        String json = "{\"id\":\"flicker\",\"name\":\"back again\"}";
        AtomicBoolean running = new AtomicBoolean(true);
        RedisServer server = TestServers.redis();
        RedisClient client = RedisClient.create(RedisURI.create(server.host(), server.port()));
        ExecutorService flicker = Executors.newSingleThreadExecutor();
        int found = 0;
        int missing = 0;
        int rejected = 0;
        String problem = null;
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            // A live delete, then a live create, again and again.
            Future<?> writes = flicker.submit(() -> {
                while (running.get()) {
                    redis.del(key);
                    redis.set(key, json);
                }
            });
            JsonStringScanner<Item, String> scanner = scanner(keys.key("item:"));
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            for (int i = 0; i < 5_000 && System.nanoTime() < deadline; i++) {
                List<ScannedEntry<Item, String>> read = scanner.read(List.of(key), ScanSettings.DEFAULTS);
                if (read.isEmpty()) {
                    missing++;
                }
                else if (read.get(0).isReject()) {
                    rejected++;
                    problem = read.get(0).problem();
                }
                else {
                    assertThat(read.get(0).entity()).isEqualTo(new Item("flicker", "back again"));
                    found++;
                }
            }
            running.set(false);
            writes.get(10, TimeUnit.SECONDS);
        }
        finally {
            running.set(false);
            flicker.shutdownNow();
            client.shutdown();
        }
        System.out.printf("[scanner race] %d reads found the key, %d found it missing, %d set it aside (%s)%n", found,
                missing, rejected, problem);
        assertThat(found).as("reads that found the key").isPositive();
        assertThat(missing).as("reads that found it deleted").isPositive();
        assertThat(rejected).as("reads that set the key aside: %s", problem).isZero();
    }

    private static JsonStringScanner<Item, String> scanner(String prefix) {
        RedisJsonMappingContext context = new RedisJsonMappingContext();
        @SuppressWarnings("unchecked")
        RedisJsonPersistentEntity<Item> entity = (RedisJsonPersistentEntity<Item>) context
            .getRequiredPersistentEntity(Item.class);
        RedisJsonEntityInformation<Item, String> information = new RedisJsonEntityInformation<>(entity, prefix,
                DefaultConversionService.getSharedInstance());
        return new JsonStringScanner<>(connections, information,
                new RedisJsonCodec<>(JsonMapper.builder().build(), information, entity));
    }

    @RedisJson(keyPrefix = "item:")
    record Item(@Id String id, String name) {
    }

}
