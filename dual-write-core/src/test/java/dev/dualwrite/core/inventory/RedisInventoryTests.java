package dev.dualwrite.core.inventory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.dualwrite.core.inventory.InventoryReport.PartInventory;
import dev.dualwrite.core.inventory.InventoryReport.RepositoryInventory;
import dev.dualwrite.core.inventory.InventorySource.ScanProgress;
import dev.dualwrite.core.inventory.InventorySource.StoreInventory;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TcpProxy;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RedisInventory} against the real Redis: keys that are not UTF-8, keys under a
 * {@code @RedisHash} keyspace that are no entities, and a scan that rides out a stalled
 * connection.
 */
class RedisInventoryTests {

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(RedisInventoryTests.class);

    // What Java serialisation writes first: no UTF-8.
    private static final byte[] SERIALISED = { (byte) 0xAC, (byte) 0xED, 0x00, 0x05 };

    private static final int TOKENS = 30;

    private static LettuceConnectionFactory redis;

    @BeforeAll
    static void seed() {
        redis((commands) -> {
            for (int i = 0; i < TOKENS; i++) {
                commands.set(bytes(keys.key("token:" + i)), bytes("{}"));
            }
            commands.set(serialisedKey(), bytes("java object"));
            // A @RedisHash keyspace as Spring Data keeps it, with one id whose hash is gone
            // and a string under the keyspace that is no entity.
            for (int i = 0; i < 5; i++) {
                commands.hset(bytes(keys.key("shelves:" + i)), Map.of(bytes("_class"), bytes("Shelf")));
            }
            for (int i = 0; i < 6; i++) {
                commands.sadd(bytes(keys.key("shelves")), bytes(String.valueOf(i)));
            }
            commands.set(bytes(keys.key("shelves:counter")), bytes("6"));
        });
        RedisServer server = TestServers.redis();
        redis = factory(server.host(), server.port());
    }

    @AfterAll
    static void cleanUp() {
        redis.destroy();
        // By its exact bytes: the prefix's own clean-up reads keys as text.
        redis((commands) -> commands.del(serialisedKey()));
    }

    @Test
    void aKeyThatIsNotUtf8IsInspectedUnderItsOwnBytesAndShownEscaped() {
        StoreInventory store = take(redis, settings(Duration.ofSeconds(5)), (progress) -> {
        });
        assertThat(store.store().unmatched().count()).isEqualTo(1);
        assertThat(store.store().unmatched().types()).isEqualTo(Map.of("string", 1L));
        assertThat(store.store().unmatched().examples()).containsExactly(keys.prefix() + "\\xac\\xed\\x00\\x05");
    }

    @Test
    void keysUnderAHashKeyspaceThatAreNoHashesAreOtherAndTheEntitiesAreTheKeyspaceSet() {
        RepositoryInventory shelves = take(redis, settings(Duration.ofSeconds(5)), (progress) -> {
        }).repositories().get(0);
        List<PartInventory> entities = parts(shelves, KeyRole.ENTITIES);
        assertThat(entities).singleElement().satisfies((part) -> {
            assertThat(part.count()).isEqualTo(5);
            assertThat(part.types()).isEqualTo(Map.of("hash", 5L));
        });
        assertThat(parts(shelves, KeyRole.OTHER)).singleElement().satisfies((part) -> {
            assertThat(part.count()).isEqualTo(1);
            assertThat(part.types()).isEqualTo(Map.of("string", 1L));
        });
        // What the backfill reads: the ids of the keyspace set, one of them without its hash.
        assertThat(shelves.entities()).isEqualTo(6);
        assertThat(shelves.entitiesBasis()).isEqualTo("SCARD " + keys.key("shelves"));
    }

    @Test
    void aStalledConnectionCostsRetriesOfOnePageNotTheScan() {
        RedisServer server = TestServers.redis();
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        try (TcpProxy proxy = TcpProxy.start(server.host(), server.port())) {
            LettuceConnectionFactory proxied = factory(proxy.host(), proxy.port());
            try {
                AtomicBoolean stalled = new AtomicBoolean();
                List<ScanProgress> steps = new ArrayList<>();
                StoreInventory store = take(proxied, settings(Duration.ofMillis(400)), (progress) -> {
                    steps.add(progress);
                    // After the first page: nothing flows for a second, longer than a command's
                    // time limit, so the next page fails at least once before Redis is back.
                    if (stalled.compareAndSet(false, true)) {
                        proxy.blackhole(true);
                        clock.schedule(() -> proxy.blackhole(false), 1, TimeUnit.SECONDS);
                    }
                });
                assertThat(stalled).isTrue();
                assertThat(steps.size()).isGreaterThan(2);
                assertThat(store.store().scanned()).isEqualTo(TOKENS + 1 + 5 + 1 + 1);
                assertThat(parts(store.repositories().get(1), KeyRole.ENTITIES).get(0).count()).isEqualTo(TOKENS);
                assertThat(steps.get(steps.size() - 1).fraction()).isEqualTo(1.0);
            }
            finally {
                proxied.destroy();
            }
        }
        finally {
            clock.shutdownNow();
        }
    }

    @Test
    void aStartWhileAnInventoryRunsAnswersTheRunningOne() {
        // 38 keys at 20 keys/s: about two seconds, long enough to ask twice meanwhile.
        InventorySettings slow = new InventorySettings(keys.prefix() + "*", 5, 5, 4, 20, 3, 5, 5,
                Duration.ofSeconds(5));
        RedisInventory source = new RedisInventory("test Redis", redis,
                List.of(RepositoryKeys.jsonStrings("tokens", keys.key("token:"))));
        try (InventoryRuns runs = new InventoryRuns(new Inventory(() -> List.of(source), BackfillRates.NONE, slow),
                null)) {
            InventoryRuns.RunStatus first = runs.start("ops", "sizing");
            InventoryRuns.RunStatus second = runs.start("someone else", "curious");
            assertThat(second.id()).isEqualTo(first.id());
            assertThat(second.startedBy()).isEqualTo("ops");
            assertThat(second.reason()).isEqualTo("sizing");
            assertThat(runs.running()).isNotNull();
            assertThat(runs.last()).isNull();

            InventoryRuns.RunStatus last = org.awaitility.Awaitility.await("the inventory to finish")
                .atMost(Duration.ofSeconds(20))
                .until(runs::last, (status) -> status != null);
            assertThat(last.id()).isEqualTo(first.id());
            assertThat(last.state()).isEqualTo("COMPLETED");
            assertThat(last.scanned()).isEqualTo(TOKENS + 1 + 5 + 1 + 1);
            assertThat(last.report().repositories().get(0).entities()).isEqualTo(TOKENS);
            assertThat(runs.running()).isNull();
            assertThat(runs.start("ops", "again").id()).isNotEqualTo(first.id());
        }
    }

    private static StoreInventory take(LettuceConnectionFactory factory, InventorySettings settings,
            java.util.function.Consumer<ScanProgress> progress) {
        RedisInventory inventory = new RedisInventory("test Redis", factory,
                List.of(RepositoryKeys.redisHash("shelves", keys.key("shelves"), List.of(), List.of()),
                        RepositoryKeys.jsonStrings("tokens", keys.key("token:"))));
        return inventory.take(Set.of("shelves", "tokens"), settings, progress);
    }

    private static InventorySettings settings(Duration timeout) {
        return new InventorySettings(keys.prefix() + "*", 5, 5, 4, 0, 3, 5, 5, timeout);
    }

    private static List<PartInventory> parts(RepositoryInventory repository, KeyRole role) {
        return repository.parts().stream().filter((part) -> part.role() == role).toList();
    }

    private static byte[] serialisedKey() {
        byte[] prefix = bytes(keys.prefix());
        byte[] key = new byte[prefix.length + SERIALISED.length];
        System.arraycopy(prefix, 0, key, 0, prefix.length);
        System.arraycopy(SERIALISED, 0, key, prefix.length, SERIALISED.length);
        return key;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static LettuceConnectionFactory factory(String host, int port) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port));
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    private static void redis(java.util.function.Consumer<RedisCommands<byte[], byte[]>> work) {
        RedisServer server = TestServers.redis();
        RedisClient client = RedisClient.create(RedisURI.create(server.host(), server.port()));
        try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
            work.accept(connection.sync());
        }
        finally {
            client.shutdown();
        }
    }

}
