package dev.dualwrite.backfill;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import dev.dualwrite.core.backfill.BackfillJobReport;
import dev.dualwrite.testsupport.RedisCluster;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A partitioned backfill as operators run it: two processes (the pods of an indexed Job)
 * share one run over a Redis Cluster of three masters that the test starts; one is killed
 * with {@code kill -9} while it copies a partition, and the other takes that partition over
 * once its lease has run out, resumes it from its checkpoint and completes the run: every key
 * copied, the run completed once.
 */
@EnabledIf("redisServerInstalled")
class PartitionedBackfillProcessTests {

    private static final int KEYS = 15_000;

    private static final BackfillFixture stores = new BackfillFixture(PartitionedBackfillProcessTests.class);

    private static RedisCluster cluster;

    static boolean redisServerInstalled() {
        return RedisCluster.serverInstalled();
    }

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = RedisCluster.start(3);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        }
        finally {
            stores.closeGizmos();
        }
    }

    @Test
    void aWorkerKilledMidPartitionHasItsPartitionTakenOverAndTheRunCompletes() throws Exception {
        // The first start creates the schema's tables (the host's and the library's), on an empty cluster.
        ChildApplication creation = ChildApplication.start(properties(), "dual-write.backfill.run=backfill_gizmos");
        assertThat(creation.waitForExit(120)).as(creation.output()).isEqualTo(BackfillJobReport.EXIT_SUCCESS);
        stores.clearGizmos();
        Map<String, String> seeded = seed();

        List<ChildApplication> workers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            workers.add(ChildApplication.start(properties(), "dual-write.backfill.run=backfill_gizmos",
                    "dual-write.backfill.partitioned=true", "dual-write.backfill.lease=3s",
                    "dual-write.backfill.batch-size=100", "dual-write.backfill.scan-count=100",
                    "dual-write.backfill.rate-limit=1500"));
        }
        Map<String, Object> held = await().atMost(Duration.ofSeconds(180))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> stores.postgres.queryForList("select partition_key, owner, position, rows_read "
                    + "from dualwrite_backfill_partition where state = 'RUNNING' and rows_read >= 1500 "
                    + "order by partition_key")
                .stream()
                .findFirst()
                .orElse(null), (partition) -> partition != null || workers.stream().noneMatch(ChildApplication::isAlive));
        assertThat(held).as("a partition copied halfway:\n%s", workers.get(0).output()).isNotNull();
        String owner = (String) held.get("owner");
        ChildApplication victim = workers.stream()
            .filter((worker) -> owner.contains("/" + worker.pid() + "/"))
            .findFirst()
            .orElseThrow();
        ChildApplication survivor = workers.get(1 - workers.indexOf(victim));
        victim.kill();
        String partition = (String) held.get("partition_key");
        Map<String, Object> atKill = stores.postgres.queryForMap("select owner, position, rows_read, claims, state "
                + "from dualwrite_backfill_partition where partition_key = ?", partition);
        assertThat(atKill).containsEntry("owner", owner).containsEntry("state", "RUNNING");
        // Checkpointed past its start: the partition's own master has a cursor (the start has none).
        assertThat((String) atKill.get("position")).contains(partition + "=").doesNotContain(partition + "=done");

        int status = survivor.waitForExit(180);

        assertThat(status).as(survivor.output()).isEqualTo(BackfillJobReport.EXIT_SUCCESS);
        assertThat(survivor.output()).contains("claims partition " + partition + " from " + owner
                + " and resumes it from its checkpoint");
        assertThat(stores.gizmosInPostgres()).isEqualTo(seeded);
        Map<String, Object> takenOver = stores.postgres.queryForMap("select owner, claims, state, rows_read "
                + "from dualwrite_backfill_partition where partition_key = ?", partition);
        assertThat(takenOver.get("owner")).asString().contains("/" + survivor.pid() + "/");
        assertThat(takenOver).containsEntry("claims", 2).containsEntry("state", "COMPLETED");
        assertThat(stores.postgres.queryForList("select state from dualwrite_backfill_partition", String.class))
            .hasSize(3)
            .containsOnly("COMPLETED");
        Map<String, Object> run = stores.postgres.queryForMap("select state, rows_read from "
                + "dualwrite_backfill_checkpoint where repository = 'backfill_gizmos'");
        assertThat(run).containsEntry("state", "COMPLETED");
        // Resumed from its checkpoint, not started again: a partition copied again from its
        // start would have the run read every key plus all the killed worker had read of it;
        // resumed, only the batches it had read past its last checkpoint are read twice.
        assertThat(((Number) run.get("rows_read")).longValue())
            .isLessThan(seeded.size() + ((Number) atKill.get("rows_read")).longValue());
        survivor.output()
            .lines()
            .filter((line) -> line.contains("partition") && line.contains("dual-write:"))
            .forEach((line) -> System.out.println(line.substring(line.indexOf("dual-write:"))));
        System.out.printf("killed %s holding partition %s at %s rows read%n", owner, partition, atKill.get("rows_read"));
    }

    private static String[] properties() {
        List<String> properties = new ArrayList<>();
        for (String property : stores.properties()) {
            if (!property.startsWith("spring.data.redis.host=") && !property.startsWith("spring.data.redis.port=")) {
                properties.add(property);
            }
        }
        properties.add("spring.data.redis.cluster.nodes=127.0.0.1:" + cluster.firstPort());
        properties.add("dual-write.repositories.backfill_gizmos.strategy=DUAL");
        return properties.toArray(String[]::new);
    }

    private static Map<String, String> seed() throws Exception {
        Map<String, String> seeded = new TreeMap<>();
        RedisClusterClient client = RedisClusterClient.create("redis://127.0.0.1:" + cluster.firstPort());
        try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
            List<RedisFuture<String>> replies = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                Gizmo gizmo = new Gizmo("g" + i, "gizmo " + i, i % 50);
                replies.add(connection.async().set(stores.gizmoKey(gizmo.id()), BackfillFixture.json(gizmo)));
                seeded.put(gizmo.id(), BackfillFixture.json(gizmo));
            }
            for (RedisFuture<String> reply : replies) {
                reply.get(30, TimeUnit.SECONDS);
            }
        }
        finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        return seeded;
    }

}
