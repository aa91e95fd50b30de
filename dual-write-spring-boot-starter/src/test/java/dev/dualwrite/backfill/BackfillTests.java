package dev.dualwrite.backfill;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.dualwrite.backfill.hashredis.SprocketRepository;
import dev.dualwrite.backfill.redis.GizmoRepository;
import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.backfill.BackfillJob;
import dev.dualwrite.core.backfill.BackfillJobReport;
import dev.dualwrite.core.backfill.BackfillMetrics;
import dev.dualwrite.core.backfill.BackfillMode;
import dev.dualwrite.core.backfill.BackfillOptions;
import dev.dualwrite.core.backfill.BackfillReject;
import dev.dualwrite.core.backfill.BackfillReport;
import dev.dualwrite.core.backfill.BackfillStageException;
import dev.dualwrite.core.backfill.BackfillState;
import dev.dualwrite.core.redis.scan.ScanPosition;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

/**
 * The backfill of both Redis shapes against the real servers, through the auto-configured
 * {@link Backfill} of a host application.
 */
@DirtiesContext
@SpringBootTest(classes = BackfillHostApplication.class)
class BackfillTests {

    static final String GIZMOS = "backfill_gizmos";

    static final String SPROCKETS = "backfill_sprockets";

    private static final BackfillFixture stores = new BackfillFixture(BackfillTests.class);

    @Autowired
    private Backfill backfill;

    @Autowired
    private StrategySource strategies;

    @Autowired
    private GizmoRepository gizmos;

    @Autowired
    private SprocketRepository sprockets;

    @Autowired
    private RedisRepairLog redisRepairLog;

    @Autowired
    private MeterRegistry meters;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        stores.register(registry);
    }

    @AfterAll
    static void cleanUp() {
        stores.close();
    }

    @BeforeEach
    void clean() {
        stores.clear();
        this.strategies.change(GIZMOS, WriteStrategy.DUAL, true);
        this.strategies.change(SPROCKETS, WriteStrategy.DUAL, true);
    }

    private BackfillOptions options() {
        return this.backfill.defaults().withBatchSize(100).withRetries(3, Duration.ofMillis(50));
    }

    @Test
    void copiesEveryJsonKeyAndARerunWritesNothing() {
        stores.seedGizmos(2_500);
        BackfillReport first = single(this.backfill.run(List.of(GIZMOS), options()));
        assertThat(first.state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(first.rowsWritten()).isEqualTo(2_500);
        assertThat(first.rowsRejected()).isZero();
        assertThat(stores.gizmosInPostgres()).isEqualTo(stores.gizmosInRedis()).hasSize(2_500);
        assertThat(this.backfill.checkpoint(GIZMOS)).hasValueSatisfying(
                (checkpoint) -> assertThat(checkpoint.state()).isEqualTo(BackfillState.COMPLETED));

        BackfillReport again = single(this.backfill.run(List.of(GIZMOS), options()));
        assertThat(again.state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(again.rowsWritten()).isZero();
        assertThat(again.rowsSkipped()).isEqualTo(again.rowsRead()).isGreaterThanOrEqualTo(2_500);
        assertThat(stores.gizmosInPostgres()).isEqualTo(stores.gizmosInRedis());
    }

    @Test
    void copiesRedisHashEntitiesReadWithTheRepositoriesConverter() {
        this.strategies.change(SPROCKETS, WriteStrategy.REDIS_PRIMARY, true);
        for (int i = 0; i < 300; i++) {
            this.sprockets.save(new Sprocket("s" + i, "sprocket " + i, i));
        }
        // A hash whose field does not convert to the entity: set aside, never a stop.
        stores.redis.hset(Sprocket.KEYSPACE + ":broken", Map.of("id", "broken", "name", "x", "teeth", "many"));
        stores.redis.sadd(Sprocket.KEYSPACE, "broken");
        // An id in the keyspace set whose hash is gone (expired or deleted): skipped.
        stores.redis.sadd(Sprocket.KEYSPACE, "ghost");
        this.strategies.change(SPROCKETS, WriteStrategy.DUAL, false);

        BackfillReport report = single(this.backfill.run(List.of(SPROCKETS), options()));

        assertThat(report.state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(report.rowsWritten()).isEqualTo(300);
        assertThat(report.rowsRejected()).isOne();
        assertThat(report.rejects()).singleElement().satisfies((reject) -> {
            assertThat(reject.key()).isEqualTo(Sprocket.KEYSPACE + ":broken");
            assertThat(reject.reason()).contains("does not map to").doesNotContain("many");
        });
        assertThat(stores.postgres.queryForObject("select count(*) from backfill_sprockets", Long.class))
            .isEqualTo(300);
        assertThat(stores.postgres.queryForMap("select name, teeth from backfill_sprockets where id = 's42'"))
            .containsEntry("name", "sprocket 42")
            .containsEntry("teeth", 42);
        assertThat(this.backfill.rejects(SPROCKETS, null, 10)).extracting(BackfillReject::rawValue)
            .singleElement()
            .asString()
            .contains("teeth=many");
    }

    @Test
    void aCatchUpOfRedisHashEntitiesRefreshesStaleRowsAndRemovesThoseOfDeletedKeys() {
        this.strategies.change(SPROCKETS, WriteStrategy.REDIS_PRIMARY, true);
        for (int i = 0; i < 50; i++) {
            this.sprockets.save(new Sprocket("s" + i, "sprocket " + i, i));
        }
        this.strategies.change(SPROCKETS, WriteStrategy.DUAL, true);
        assertThat(single(this.backfill.run(List.of(SPROCKETS), options())).rowsWritten()).isEqualTo(50);
        // A rollback: 10 changed and 5 deleted in Redis alone.
        this.strategies.change(SPROCKETS, WriteStrategy.REDIS_PRIMARY, true);
        for (int i = 0; i < 10; i++) {
            this.sprockets.save(new Sprocket("s" + i, "changed " + i, 100 + i));
        }
        for (int i = 10; i < 15; i++) {
            this.sprockets.deleteById("s" + i);
        }
        this.strategies.change(SPROCKETS, WriteStrategy.DUAL, true);

        BackfillReport report = single(this.backfill.run(List.of(SPROCKETS),
                options().withMode(BackfillMode.CATCH_UP)));

        assertThat(report.state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(report.rowsRefreshed()).isEqualTo(10);
        assertThat(report.rowsRemoved()).isEqualTo(5);
        assertThat(report.rowsSkipped()).isEqualTo(35);
        Map<String, Integer> teeth = new TreeMap<>();
        stores.postgres.query("select id, teeth from backfill_sprockets",
                (RowCallbackHandler) (rs) -> teeth.put(rs.getString(1), rs.getInt(2)));
        Map<String, Integer> expected = new TreeMap<>();
        for (int i = 0; i < 50; i++) {
            if (i < 10 || i >= 15) {
                expected.put("s" + i, (i < 10) ? 100 + i : i);
            }
        }
        assertThat(teeth).isEqualTo(expected);
    }

    @Test
    void setsBadValuesAsideWritesTheRestAndRetriesThemAfterAFix() {
        stores.seedGizmos(500);
        stores.redis.set(stores.gizmoKey("not-json"), "{this is not json");
        stores.redis.set(stores.gizmoKey("wrong-shape"), "{\"id\":\"wrong-shape\",\"colour\":\"red\"}");
        stores.redis.rpush(stores.gizmoKey("a-list"), "x");
        stores.redis.set(stores.gizmoKey("negative"), "{\"id\":\"negative\",\"name\":\"n\",\"quantity\":-1}");

        BackfillReport report = single(this.backfill.run(List.of(GIZMOS), options()));

        assertThat(report.state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(report.rowsWritten()).isEqualTo(500);
        assertThat(report.rowsRejected()).isEqualTo(4);
        List<BackfillReject> rejects = this.backfill.rejects(GIZMOS, null, 100);
        assertThat(rejects).extracting(BackfillReject::key)
            .containsExactlyInAnyOrder(stores.gizmoKey("not-json"), stores.gizmoKey("wrong-shape"),
                    stores.gizmoKey("a-list"), stores.gizmoKey("negative"));
        assertThat(rejects).filteredOn((reject) -> reject.key().endsWith("negative"))
            .singleElement()
            .satisfies((reject) -> {
                assertThat(reject.reason()).contains("check constraint").doesNotContain("Failing row");
                assertThat(reject.rawValue()).contains("-1");
            });
        assertThat(rejects).filteredOn((reject) -> reject.key().endsWith("not-json"))
            .singleElement()
            .satisfies((reject) -> assertThat(reject.reason()).contains("not valid JSON"));
        assertThat(stores.gizmosInPostgres()).hasSize(500);

        // The operator fixes one value and deletes another key, then retries.
        stores.redis.set(stores.gizmoKey("negative"), "{\"id\":\"negative\",\"name\":\"n\",\"quantity\":1}");
        stores.redis.del(stores.gizmoKey("a-list"));
        Backfill.RetryReport retry = this.backfill.retryRejects(GIZMOS);
        assertThat(retry.copied()).isOne();
        assertThat(retry.gone()).isOne();
        assertThat(retry.stillRejected()).isEqualTo(2);
        assertThat(this.backfill.rejects(GIZMOS, null, 100)).extracting(BackfillReject::key)
            .containsExactlyInAnyOrder(stores.gizmoKey("not-json"), stores.gizmoKey("wrong-shape"));
        assertThat(stores.gizmosInPostgres()).containsKey("negative").hasSize(501);
    }

    @Test
    void dryRunReadsAndChecksEverythingButWritesNothing() {
        stores.seedGizmos(300);
        stores.redis.set(stores.gizmoKey("not-json"), "nope");
        stores.postgres.update("insert into backfill_gizmos (id, name, quantity) values ('g1', 'gizmo 1', 1)");

        BackfillReport report = single(this.backfill.run(List.of(GIZMOS), options().withDryRun(true)));

        assertThat(report.dryRun()).isTrue();
        assertThat(report.state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(report.rowsRead()).isEqualTo(301);
        assertThat(report.rowsWritten()).as("would be written").isEqualTo(299);
        assertThat(report.rowsSkipped()).as("already there").isOne();
        assertThat(report.rowsRejected()).isOne();
        assertThat(report.rejects()).extracting(BackfillReport.RejectedKey::key).containsExactly(stores.gizmoKey("not-json"));
        assertThat(stores.gizmosInPostgres()).hasSize(1);
        assertThat(this.backfill.rejects(GIZMOS, null, 10)).isEmpty();
        assertThat(this.backfill.checkpoint(GIZMOS)).isEmpty();
    }

    @Test
    void refusesToStartABackfillOfARepositoryThatIsNotAtStageDual() {
        stores.seedGizmos(10);
        this.strategies.change(GIZMOS, WriteStrategy.REDIS_PRIMARY, true);

        assertThatExceptionOfType(BackfillStageException.class)
            .isThrownBy(() -> this.backfill.start(List.of(GIZMOS, SPROCKETS), options()))
            .withMessage("Repository 'backfill_gizmos' is at REDIS_PRIMARY, but the backfill copies only in stage DUAL, "
                    + "where live writes keep PostgreSQL up to date while it runs: move the repository to DUAL first "
                    + "(a dry run works at any stage)")
            .satisfies((ex) -> assertThat(ex.stages()).containsExactly(entry(GIZMOS, WriteStrategy.REDIS_PRIMARY)));
        assertThat(this.backfill.checkpoint(SPROCKETS)).as("the other repository of the job did not run").isEmpty();
        assertThat(stores.gizmosInPostgres()).isEmpty();
        assertThatExceptionOfType(BackfillStageException.class).isThrownBy(() -> this.backfill.retryRejects(GIZMOS));
        assertThat(single(this.backfill.run(List.of(GIZMOS), options().withDryRun(true))).rowsWritten())
            .as("a dry run would write").isEqualTo(10);
        assertThat(single(this.backfill.run(List.of(GIZMOS), options().withRequireDual(false))).rowsWritten())
            .as("written when the stage is not required").isEqualTo(10);
    }

    @Test
    void failFastStopsAtTheFirstReject() {
        stores.seedGizmos(2_000);
        stores.redis.set(stores.gizmoKey("not-json"), "nope");

        BackfillJobReport job = this.backfill.run(List.of(GIZMOS), options().withFailFast(true).withBatchSize(50));

        assertThat(single(job).state()).isEqualTo(BackfillState.FAILED);
        assertThat(single(job).message()).contains("fail-fast").contains("not-json");
        assertThat(job.exitCode(true)).isEqualTo(BackfillJobReport.EXIT_FAILED);
    }

    @Test
    void pauseHoldsTheRunAndTheRateLimitThrottlesItWhileItRuns() {
        stores.seedGizmos(3_000);
        BackfillJob job = this.backfill.start(List.of(GIZMOS), options().withBatchSize(20).withRateLimit(400));
        await().atMost(Duration.ofSeconds(20)).until(() -> job.progress().get(0).rowsWritten() > 0);

        job.pause();
        await().atMost(Duration.ofSeconds(20)).until(() -> job.progress().get(0).state() == BackfillState.PAUSED);
        // Batches in flight may still land; then nothing moves while paused.
        AtomicLong lastSeen = new AtomicLong(-1);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
            long written = job.progress().get(0).rowsWritten();
            return lastSeen.getAndSet(written) == written;
        });
        long held = job.progress().get(0).rowsRead();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
            .until(() -> job.progress().get(0).rowsRead() == held);
        assertThat(job.progress().get(0).rowsRead()).isEqualTo(held);
        assertThat(job.isDone()).isFalse();

        job.resume();
        assertThat(job.progress().get(0).rateLimit()).isEqualTo(400);
        job.setRateLimit(0);
        BackfillJobReport report = job.await(Duration.ofSeconds(60));

        assertThat(single(report).state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(stores.gizmosInPostgres()).isEqualTo(stores.gizmosInRedis()).hasSize(3_000);
        assertThat(this.meters.get(BackfillMetrics.THROTTLED).tag("repository", GIZMOS).timer().count())
            .as("reads held back by the rate limit")
            .isPositive();
    }

    @Test
    void aPartitionedRunOfOneRedisReportsItsScansFractionWhileItRuns() {
        stores.seedGizmos(3_000);
        BackfillJob job = this.backfill.start(List.of(GIZMOS),
                options().withPartitioned(true).withBatchSize(20).withRateLimit(1_000));

        // One Redis is one partition: the run's fraction is that partition's scan's, not the
        // share of partitions completed (which stays 0 until the very end).
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            double fraction = job.progress().get(0).fraction();
            return fraction > 0 && fraction < 1;
        });
        BackfillReport report = single(job.await(Duration.ofSeconds(60)));

        assertThat(report.state()).as(report.summary()).isEqualTo(BackfillState.COMPLETED);
        assertThat(job.progress().get(0).fraction()).isEqualTo(1.0);
        assertThat(this.backfill.partitions(GIZMOS)).singleElement()
            .satisfies((partition) -> assertThat(partition.state()).isEqualTo(BackfillState.COMPLETED));
        assertThat(stores.gizmosInPostgres()).isEqualTo(stores.gizmosInRedis()).hasSize(3_000);
    }

    @Test
    void aStoppedRunResumesFromItsCheckpoint() {
        stores.seedGizmos(3_000);
        BackfillJob job = this.backfill.start(List.of(GIZMOS), options().withBatchSize(20).withRateLimit(1_000));
        await().atMost(Duration.ofSeconds(20)).until(() -> job.progress().get(0).rowsWritten() >= 200);
        job.stop();
        BackfillReport stopped = single(job.await(Duration.ofSeconds(30)));
        assertThat(stopped.state()).isEqualTo(BackfillState.STOPPED);
        assertThat(this.backfill.checkpoint(GIZMOS)).hasValueSatisfying((checkpoint) -> {
            assertThat(checkpoint.state()).isEqualTo(BackfillState.STOPPED);
            assertThat(checkpoint.position()).isNotEmpty();
            // Still the Redis cursors' text it was before the scanner interface: checkpoints
            // saved by older versions resume, and this one would resume in them.
            assertThat(checkpoint.position()).matches("[^=,]+=(done|\\d+)(,[^=,]+=(done|\\d+))*");
            assertThat(ScanPosition.parse(checkpoint.position())).hasToString(checkpoint.position());
        });

        BackfillReport resumed = single(this.backfill.run(List.of(GIZMOS), options()));

        assertThat(resumed.resumed()).isTrue();
        assertThat(resumed.state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(resumed.rowsRead()).as("only what was left, give or take a batch").isLessThan(3_000);
        assertThat(stores.gizmosInPostgres()).isEqualTo(stores.gizmosInRedis()).hasSize(3_000);
    }

    @Test
    void concurrentWritersThroughTheDecoratorLeaveBothStoresEqual() throws Exception {
        stores.seedGizmos(4_000);
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> writers = new ArrayList<>();
        try {
            for (int thread = 0; thread < 4; thread++) {
                writers.add(pool.submit(() -> {
                    int operations = 0;
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (writing.get() || operations < 200) {
                        // Existing keys (updates, deletes) and new ones (creates), over the whole range.
                        String id = "g" + random.nextInt(4_400);
                        if (random.nextInt(3) == 0) {
                            this.gizmos.deleteById(id);
                        }
                        else {
                            this.gizmos.save(new Gizmo(id, "live " + random.nextInt(1000), random.nextInt(50)));
                        }
                        operations++;
                    }
                    return operations;
                }));
            }
            BackfillJobReport report = this.backfill.run(List.of(GIZMOS),
                    options().withBatchSize(50).withParallelism(3));
            writing.set(false);
            int operations = 0;
            for (Future<Integer> writer : writers) {
                operations += writer.get(60, TimeUnit.SECONDS);
            }
            assertThat(single(report).state()).isEqualTo(BackfillState.COMPLETED);
            System.out.printf("backfill of %,d keys with %,d concurrent live writes: %s%n", 4_000, operations,
                    single(report).summary());
        }
        finally {
            writing.set(false);
            pool.shutdownNow();
        }
        // A live write whose PostgreSQL copy failed (a slow moment on a loaded machine) is
        // owed to the reconciler, not lost: the stores must agree once it has run.
        this.redisRepairLog.pending(GIZMOS, 100)
            .forEach((record) -> System.out.printf("pending repair of '%s': %s%n", record.key(), record.reason()));
        // Once every write's intent is closed (its copy confirmed, or recorded for repair).
        await().atMost(Duration.ofSeconds(60))
            .until(() -> stores.openGizmoIntents() == 0 && this.redisRepairLog.pendingCount(GIZMOS) == 0);
        Map<String, String> redis = stores.gizmosInRedis();
        Map<String, String> postgres = stores.gizmosInPostgres();
        assertThat(postgres).as("PostgreSQL equals Redis key by key").isEqualTo(redis);
    }

    @Test
    void rowsAlreadyInPostgresAreKeptAndTheOthersOfTheirBatchCopied() {
        List<Gizmo> gizmos = stores.seedGizmos(100);
        // Rows a live write produced, lone and adjacent ones, scattered over the batch's COPY.
        List<Integer> live = List.of(0, 1, 2, 40, 42, 43, 98, 99);
        for (int i : live) {
            stores.postgres.update("insert into backfill_gizmos (id, name, quantity) values (?, ?, ?)",
                    gizmos.get(i).id(), "written live", 7);
        }

        BackfillReport report = single(this.backfill.run(List.of(GIZMOS), options().withBatchSize(100)));

        assertThat(report.rowsWritten()).isEqualTo(100 - live.size());
        assertThat(report.rowsSkipped()).isEqualTo(live.size());
        Map<String, String> expected = new TreeMap<>(stores.gizmosInRedis());
        live.forEach((i) -> expected.put(gizmos.get(i).id(),
                BackfillFixture.json(new Gizmo(gizmos.get(i).id(), "written live", 7))));
        assertThat(stores.gizmosInPostgres()).isEqualTo(expected);
    }

    @Test
    void valuesWithCharactersCopyEscapesArriveExactly() {
        List<String> names = List.of("tab\there", "line\nbreak", "carriage\r\nreturn", "back\\slash", "\\N",
                "\\.", "", "end\n\\.\n", "ünïcødé ✓ 🚀", "quote \" and 'apostrophe'");
        JsonMapper json = JsonMapper.builder().build();
        Map<String, String> expected = new TreeMap<>();
        // Batches of 20: large enough to be streamed with COPY rather than inserted row by row.
        for (int i = 0; i < 40; i++) {
            Gizmo gizmo = new Gizmo("s" + i, names.get(i % names.size()), i);
            stores.redis.set(stores.gizmoKey(gizmo.id()), json.writeValueAsString(gizmo));
            expected.put(gizmo.id(), gizmo.name());
        }

        BackfillReport report = single(this.backfill.run(List.of(GIZMOS), options().withBatchSize(20)));

        assertThat(report.rowsWritten()).isEqualTo(40);
        Map<String, String> copied = new TreeMap<>();
        stores.postgres.query("select id, name from backfill_gizmos", (RowCallbackHandler) (rs) -> {
            copied.put(rs.getString(1), rs.getString(2));
        });
        assertThat(copied).isEqualTo(expected);
    }

    @Test
    void optionsThatWouldFillPostgresLockTableAreRefusedBeforeAnythingRuns() {
        stores.seedGizmos(10);
        // 64 writers x 5,000 keys: far beyond a default server's 64 x (100 + 0) lock slots.
        BackfillOptions greedy = options().withBatchSize(5_000).withParallelism(64);

        assertThatIllegalArgumentException().isThrownBy(() -> this.backfill.start(List.of(GIZMOS), greedy))
            .withMessageContaining("Batches of 5000 keys on 64 writers hold up to 320,000 advisory locks")
            .withMessageContaining("max_locks_per_transaction");
        assertThat(this.backfill.checkpoint(GIZMOS)).isEmpty();
        assertThat(stores.gizmosInPostgres()).isEmpty();
        // A dry run takes no locks.
        assertThat(single(this.backfill.run(List.of(GIZMOS), greedy.withDryRun(true))).rowsWritten()).isEqualTo(10);
    }

    @Test
    void metersAreRegisteredUpFrontForEveryRepository() {
        for (String repository : List.of(GIZMOS, SPROCKETS)) {
            assertThat(this.meters.find(BackfillMetrics.ROWS).tag("repository", repository).counters())
                .extracting((counter) -> counter.getId().getTag("outcome"))
                .containsExactlyInAnyOrder("written", "skipped", "rejected", "refreshed", "removed");
            assertThat(this.meters.find(BackfillMetrics.ROWS_READ).tag("repository", repository).counter()).isNotNull();
            assertThat(this.meters.find(BackfillMetrics.PROGRESS).tag("repository", repository).gauge()).isNotNull();
            assertThat(this.meters.find(BackfillMetrics.RUNNING).tag("repository", repository).gauge()).isNotNull();
        }
    }

    private static BackfillReport single(BackfillJobReport report) {
        assertThat(report.reports()).hasSize(1);
        return report.reports().get(0);
    }

}
