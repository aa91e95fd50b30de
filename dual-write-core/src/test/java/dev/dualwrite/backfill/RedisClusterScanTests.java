package dev.dualwrite.backfill;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.dualwrite.core.redis.json.RedisJsonCodec;
import dev.dualwrite.core.redis.json.RedisJsonEntityInformation;
import dev.dualwrite.core.redis.json.RedisJsonMappingContext;
import dev.dualwrite.core.redis.json.RedisJsonPersistentEntity;
import dev.dualwrite.core.redis.scan.JsonStringScanner;
import dev.dualwrite.core.redis.scan.ScanBatch;
import dev.dualwrite.core.redis.scan.ScanPosition;
import dev.dualwrite.core.redis.scan.ScanSettings;
import dev.dualwrite.core.redis.scan.ScannedEntry;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The backfill's scan against a real Redis Cluster of three masters that the test starts on
 * loopback ports ({@code redis-server --cluster-enabled yes}) and stops afterwards: every
 * master is scanned, a resumed scan (new scanner, same position) finds the rest, and nothing
 * is missed.
 */
@EnabledIf("redisServerInstalled")
class RedisClusterScanTests {

    private static final int[] PORTS = { 7311, 7312, 7313 };

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
        directory = Files.createTempDirectory("dualwrite-cluster");
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
    void everyMasterIsScannedAndAResumedScanFindsTheRest() {
        Map<String, String> written = new HashMap<>();
        RedisClusterClient client = RedisClusterClient.create("redis://127.0.0.1:" + PORTS[0]);
        try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
            for (int i = 0; i < 3_000; i++) {
                String key = "item:" + i;
                String json = "{\"id\":\"" + i + "\",\"name\":\"n" + i + "\"}";
                connection.sync().set(key, json);
                written.put(key, json);
            }
            connection.sync().set("item:bad", "not json");
            connection.sync().set("other:1", "{}");
        }
        finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }

        ScanSettings settings = ScanSettings.DEFAULTS.withBatchSize(200);
        ScanPosition position = ScanPosition.initial();
        Set<String> seen = new HashSet<>();
        List<String> rejects = new ArrayList<>();
        int batches = 0;
        boolean complete = false;
        while (!complete) {
            // A new scanner every few batches stands for a restarted process resuming from its checkpoint.
            JsonStringScanner<ClusterItem, String> scanner = scanner();
            for (int i = 0; i < 3 && !complete; i++) {
                ScanBatch<ClusterItem, String> batch = scanner.next(ScanPosition.parse(position.toString()), settings);
                for (ScannedEntry<ClusterItem, String> entry : batch.entries()) {
                    if (entry.isReject()) {
                        rejects.add(entry.redisKey());
                    }
                    else {
                        seen.add(entry.redisKey());
                        assertThat(entry.entity().name()).isEqualTo("n" + entry.id());
                    }
                }
                position = batch.position();
                complete = batch.complete();
                batches++;
            }
        }

        assertThat(position.cursors()).hasSize(3).allSatisfy((node, cursor) -> assertThat(cursor).isEqualTo("done"));
        assertThat(seen).isEqualTo(written.keySet());
        assertThat(rejects).containsExactly("item:bad");
        assertThat(batches).isGreaterThan(3);
        assertThat(scanner().existing(List.of("item:1", "item:2", "item:nope"), settings))
            .containsExactlyInAnyOrder("item:1", "item:2");
    }

    private static JsonStringScanner<ClusterItem, String> scanner() {
        RedisJsonMappingContext context = new RedisJsonMappingContext();
        @SuppressWarnings("unchecked")
        RedisJsonPersistentEntity<ClusterItem> entity = (RedisJsonPersistentEntity<ClusterItem>) context
            .getRequiredPersistentEntity(ClusterItem.class);
        RedisJsonEntityInformation<ClusterItem, String> information = new RedisJsonEntityInformation<>(entity, "item:",
                DefaultConversionService.getSharedInstance());
        return new JsonStringScanner<>(connections, information,
                new RedisJsonCodec<>(JsonMapper.builder().build(), information, entity));
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
