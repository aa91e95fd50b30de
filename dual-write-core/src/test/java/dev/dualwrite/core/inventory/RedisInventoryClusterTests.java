package dev.dualwrite.core.inventory;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.dualwrite.core.inventory.InventoryReport.PartInventory;
import dev.dualwrite.core.inventory.InventoryReport.RepositoryInventory;
import dev.dualwrite.core.inventory.InventorySource.StoreInventory;
import dev.dualwrite.testsupport.RedisCluster;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inventory against a real Redis Cluster of three masters that the test starts on free
 * loopback ports and stops afterwards: keys on every master are counted, typed and measured
 * ({@code MEMORY USAGE} reaches each key's own master), and keys of no repository are found on
 * all of them.
 */
@EnabledIf("redisServerInstalled")
class RedisInventoryClusterTests {

    private static RedisCluster cluster;

    private static LettuceConnectionFactory connections;

    static boolean redisServerInstalled() {
        return RedisCluster.serverInstalled();
    }

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = RedisCluster.start(3);
        connections = cluster.connections();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyMasterIsScannedAndEveryKeyFiledUnderItsPattern() {
        RedisClusterClient client = RedisClusterClient.create("redis://127.0.0.1:" + cluster.firstPort());
        try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
            RedisAdvancedClusterCommands<String, String> redis = connection.sync();
            for (int i = 0; i < 300; i++) {
                // What Spring Data Redis keeps for a @RedisHash entity with one indexed property.
                String colour = (i % 2 == 0) ? "red" : "blue";
                redis.hset("crates:" + i, Map.of("_class", "Crate", "colour", colour));
                redis.sadd("crates", String.valueOf(i));
                redis.sadd("crates:colour:" + colour, String.valueOf(i));
                redis.sadd("crates:" + i + ":idx", "crates:colour:" + colour);
            }
            for (int i = 0; i < 200; i++) {
                redis.set("parcel:" + i, "{\"id\":\"" + i + "\"}");
                if (i % 4 == 0) {
                    redis.expire("parcel:" + i, 3600);
                }
            }
            for (int i = 0; i < 50; i++) {
                redis.set("other:" + i, "x");
            }
        }
        finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        RedisInventory inventory = new RedisInventory("test cluster", connections,
                List.of(RepositoryKeys.redisHash("crates", "crates", List.of("colour"), List.of()),
                        RepositoryKeys.jsonStrings("parcels", "parcel:")));
        InventorySettings settings = new InventorySettings("*", 100, 50, 16, 0, 25, 5, 5, Duration.ofSeconds(5));

        StoreInventory store = inventory.take(java.util.Set.of("crates", "parcels"), settings, (progress) -> {
        });

        assertThat(store.store().masters()).isEqualTo(3);
        assertThat(store.store().scanned()).isEqualTo(300 + 1 + 2 + 300 + 200 + 50);
        assertThat(store.store().unmatched().count()).isEqualTo(50);
        assertThat(store.store().unmatched().examples()).hasSize(5).allSatisfy((key) -> assertThat(key).startsWith("other:"));
        RepositoryInventory crates = store.repositories().get(0);
        assertThat(count(crates, "crates:*")).isEqualTo(300);
        assertThat(count(crates, "crates")).isEqualTo(1);
        assertThat(count(crates, "crates:colour:*")).isEqualTo(2);
        assertThat(count(crates, "crates:*:idx")).isEqualTo(300);
        assertThat(crates.entities()).isEqualTo(300);
        assertThat(crates.entitiesBasis()).isEqualTo("SCARD crates");
        PartInventory parcels = store.repositories().get(1).parts().get(0);
        assertThat(parcels.count()).isEqualTo(200);
        assertThat(parcels.expiring()).isEqualTo(50);
        assertThat(parcels.memory().measuredKeys()).isEqualTo(25);
        assertThat(parcels.memory().bytes()).isPositive();
    }

    private static long count(RepositoryInventory repository, String pattern) {
        return repository.parts()
            .stream()
            .filter((part) -> part.pattern().equals(pattern))
            .findFirst()
            .orElseThrow()
            .count();
    }

}
