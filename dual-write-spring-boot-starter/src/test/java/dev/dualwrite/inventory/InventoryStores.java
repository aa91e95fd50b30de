package dev.dualwrite.inventory;

import java.util.ArrayList;
import java.util.List;

import dev.dualwrite.inventory.hashredis.CrateRepository;
import dev.dualwrite.inventory.jsonredis.ParcelRepository;
import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;
import dev.dualwrite.testsupport.TestServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import org.springframework.context.ApplicationContext;

/**
 * The stores of the inventory tests: one Redis key prefix for the whole test JVM (the
 * {@code @RedisHash} keyspace is read once per JVM, from {@link #crateKeyspace()}), and what
 * the tests write there: crates and parcels through the host's repositories, as the service
 * would, some expiring, a key of the wrong type, and keys of no repository.
 */
final class InventoryStores {

    // Created on first use: a child process started by the one-shot run's test uses the parent's.
    static final TestKeyPrefix KEYS = TestKeyPrefix.create(TestServers.redis(), "inventory");

    static final int CRATES = 30;

    static final int EXPIRING_CRATES = 10;

    static final List<String> COLOURS = List.of("red", "green", "blue");

    static final int PARCELS = 40;

    static final int EXPIRING_PARCELS = 20;

    static final int STRAY_STRINGS = 5;

    private InventoryStores() {
    }

    static String crateKeyspace() {
        // A child process is given its parent's prefix.
        return System.getProperty(InventoryHostApplication.PREFIX, KEYS.prefix()) + "crates";
    }

    static String[] properties(TestSchema schema) {
        PostgresServer postgres = schema.server();
        RedisServer redis = TestServers.redis();
        return new String[] { "spring.datasource.url=" + schema.jdbcUrl(),
                "spring.datasource.username=" + postgres.username(),
                "spring.datasource.password=" + postgres.password(), "spring.datasource.hikari.maximum-pool-size=6",
                "spring.flyway.locations=classpath:db/inventory", "spring.flyway.schemas=" + schema.name(),
                "spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
                "spring.data.redis.timeout=5s", "dwtest.inventory.prefix=" + KEYS.prefix(),
                // Only this run's keys: others' keys on the shared server are not ours to count.
                "dual-write.inventory.match=" + KEYS.prefix() + "*", "dual-write.inventory.page-size=7",
                "dual-write.inventory.scan-count=5", "dual-write.inventory.memory-sample-keys=10",
                "dual-write.inventory.unmatched-examples=3" };
    }

    /** Write what the inventory should find, through the application's own repositories. */
    static void seed(ApplicationContext context) {
        KEYS.deleteKeys();
        CrateRepository crates = context.getBean(CrateRepository.class);
        for (int i = 0; i < CRATES; i++) {
            crates.save(new Crate("c" + i, COLOURS.get(i % COLOURS.size()), i));
        }
        ParcelRepository parcels = context.getBean(ParcelRepository.class);
        for (int i = 0; i < PARCELS; i++) {
            parcels.save(new Parcel("p" + i, "parcel " + i));
        }
        redis((commands) -> {
            for (int i = 0; i < EXPIRING_CRATES; i++) {
                commands.expire(crateKeyspace() + ":c" + i, 3600);
            }
            for (int i = 0; i < EXPIRING_PARCELS; i++) {
                commands.expire(KEYS.key("parcel:p" + i), 3600);
            }
            // Under the parcels' prefix, but not a JSON string: counted there, under its own type.
            commands.rpush(KEYS.key("parcel:wrong-type"), "a", "b");
            for (int i = 0; i < STRAY_STRINGS; i++) {
                commands.set(KEYS.key("stray:" + i), "left behind " + i);
            }
            commands.hset(KEYS.key("legacy:settings"), "theme", "dark");
            return null;
        });
    }

    static <T> T redis(java.util.function.Function<RedisCommands<String, String>, T> work) {
        RedisServer server = TestServers.redis();
        RedisClient client = RedisClient.create(RedisURI.create(server.host(), server.port()));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return work.apply(connection.sync());
        }
        finally {
            client.shutdown();
        }
    }

    static List<String> strayKeys() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < STRAY_STRINGS; i++) {
            keys.add(KEYS.key("stray:" + i));
        }
        keys.add(KEYS.key("legacy:settings"));
        return keys;
    }

}
