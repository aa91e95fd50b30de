package dev.dualwrite.backfill;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.dualwrite.core.redis.json.RedisJsonCodec;
import dev.dualwrite.core.redis.json.RedisJsonEntityInformation;
import dev.dualwrite.core.redis.json.RedisJsonMappingContext;
import dev.dualwrite.core.redis.json.RedisJsonPersistentEntity;
import dev.dualwrite.core.redis.scan.JsonStringScanner;
import dev.dualwrite.core.redis.scan.ScanBatch;
import dev.dualwrite.core.redis.scan.ScanPosition;
import dev.dualwrite.core.store.scan.ScanSettings;
import dev.dualwrite.core.store.scan.ScannedEntry;
import dev.dualwrite.testsupport.RedisCluster;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backfill's scan against a real Redis Cluster of three masters that the test starts on
 * free loopback ports ({@link RedisCluster}) and stops afterwards: every
 * master is scanned, a resumed scan (new scanner, same position) finds the rest, and nothing
 * is missed.
 */
@EnabledIf("redisServerInstalled")
class RedisClusterScanTests {

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
    void everyMasterIsScannedAndAResumedScanFindsTheRest() {
        Map<String, String> written = new HashMap<>();
        RedisClusterClient client = RedisClusterClient.create("redis://127.0.0.1:" + cluster.firstPort());
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

}
