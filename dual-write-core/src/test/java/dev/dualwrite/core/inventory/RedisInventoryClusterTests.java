package dev.dualwrite.core.inventory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.dualwrite.core.inventory.InventoryReport.PartInventory;
import dev.dualwrite.core.inventory.InventoryReport.RepositoryInventory;
import dev.dualwrite.core.inventory.InventorySource.StoreInventory;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The inventory against a real Redis Cluster of three masters that the test starts on free
 * loopback ports and stops afterwards: keys on every master are counted, typed and measured
 * ({@code MEMORY USAGE} reaches each key's own master), and keys of no repository are found on
 * all of them.
 */
@EnabledIf("redisServerInstalled")
class RedisInventoryClusterTests {

    private static int[] PORTS;

    private static final List<Process> nodes = new ArrayList<>();

    private static Path directory;

    private static LettuceConnectionFactory connections;

    static boolean redisServerInstalled() {
        try {
            return new ProcessBuilder("redis-server", "--version").start().waitFor() == 0;
        }
        catch (IOException | InterruptedException ex) {
            return false;
        }
    }

    @BeforeAll
    static void startCluster() throws Exception {
        PORTS = freePorts(3);
        directory = Files.createTempDirectory("dualwrite-inventory-cluster");
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        for (int port : PORTS) {
            Path dir = Files.createDirectories(directory.resolve(String.valueOf(port)));
            nodes.add(new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--appendonly", "no",
                    "--save", "", "--dir", dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile())
                .start());
            create.add("127.0.0.1:" + port);
        }
        for (int port : PORTS) {
            waitForPort(port);
        }
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Process creation = new ProcessBuilder(create).redirectErrorStream(true)
            .redirectOutput(directory.resolve("create.log").toFile())
            .start();
        assertThat(creation.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(creation.exitValue()).as(Files.readString(directory.resolve("create.log"))).isZero();
        waitForClusterOk();
        RedisClusterConfiguration configuration = new RedisClusterConfiguration(
                List.of("127.0.0.1:" + PORTS[0], "127.0.0.1:" + PORTS[1], "127.0.0.1:" + PORTS[2]));
        connections = new LettuceConnectionFactory(configuration);
        connections.afterPropertiesSet();
        connections.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (connections != null) {
            connections.destroy();
        }
        for (Process node : nodes) {
            node.destroy();
            if (!node.waitFor(10, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        }
        if (directory != null) {
            try (var files = Files.walk(directory)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
            }
        }
    }

    @Test
    void everyMasterIsScannedAndEveryKeyFiledUnderItsPattern() {
        RedisClusterClient client = RedisClusterClient.create("redis://127.0.0.1:" + PORTS[0]);
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

    // Ports free now, each with its cluster bus port (port + 10000) free too, so that parallel
    // builds and other tests' clusters on the same machine do not collide.
    private static int[] freePorts(int count) {
        int[] ports = new int[count];
        int found = 0;
        while (found < count) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            boolean taken = false;
            for (int i = 0; i < found; i++) {
                taken |= ports[i] == port;
            }
            if (!taken && free(port) && free(port + 10_000)) {
                ports[found++] = port;
            }
        }
        return ports;
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

    private static void waitForPort(int port) {
        await("redis-server listening on port " + port).atMost(Duration.ofSeconds(10)).ignoreExceptions()
            .until(() -> {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    return true;
                }
            });
    }

    private static void waitForClusterOk() {
        await("the test cluster reaching cluster_state:ok").atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> {
                Process info = new ProcessBuilder("redis-cli", "-p", String.valueOf(PORTS[0]), "cluster", "info")
                    .start();
                String out = new String(info.getInputStream().readAllBytes());
                info.waitFor();
                return out.contains("cluster_state:ok");
            });
    }

}
