package dev.dualwrite.backfill;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.backfill.redis.GizmoRepository;
import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.backfill.BackfillJob;
import dev.dualwrite.core.backfill.BackfillJobReport;
import dev.dualwrite.core.backfill.BackfillMetrics;
import dev.dualwrite.core.backfill.BackfillMode;
import dev.dualwrite.core.backfill.BackfillOptions;
import dev.dualwrite.core.backfill.BackfillReport;
import dev.dualwrite.core.backfill.BackfillStageException;
import dev.dualwrite.core.backfill.BackfillState;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyOptions;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The catch-up backfill ({@link BackfillMode#CATCH_UP}) against the real servers: after a
 * period at {@code REDIS_PRIMARY} (writes reach Redis only, as after a rollback), re-entering
 * {@code DUAL} and running it leaves PostgreSQL equal to Redis, without ever writing a value
 * older than one a live write copied.
 */
@DirtiesContext
@SpringBootTest(classes = BackfillHostApplication.class)
class CatchUpBackfillTests {

    private static final String GIZMOS = BackfillTests.GIZMOS;

    private static final BackfillFixture stores = new BackfillFixture(CatchUpBackfillTests.class);

    @Autowired
    private Backfill backfill;

    @Autowired
    private StrategySource strategies;

    @Autowired
    private GizmoRepository gizmos;

    @Autowired
    private Verifier verifier;

    @Autowired
    private DualRepositoryRegistry registry;

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
        stores.closeGizmos();
    }

    @BeforeEach
    void clean() {
        stores.clearGizmos();
        this.strategies.change(GIZMOS, WriteStrategy.DUAL, true);
    }

    private BackfillOptions options(BackfillMode mode) {
        return this.backfill.defaults().withBatchSize(100).withRetries(3, Duration.ofMillis(50)).withMode(mode);
    }

    @Test
    void catchUpRefreshesStaleRowsRemovesRowsOfDeletedKeysAndCopiesMissingOnes() {
        stores.seedGizmos(1_000);
        BackfillReport first = run(options(BackfillMode.COPY_MISSING));
        assertThat(first.rowsWritten()).isEqualTo(1_000);
        // Rolled back: 300 updated, 100 deleted and 50 created in Redis alone.
        whileAtRedisPrimary(() -> {
            for (int i = 0; i < 300; i++) {
                this.gizmos.save(new Gizmo("g" + i, "changed " + i, (i % 50) + 1));
            }
            for (int i = 300; i < 400; i++) {
                this.gizmos.deleteById("g" + i);
            }
            for (int i = 0; i < 50; i++) {
                this.gizmos.save(new Gizmo("n" + i, "new " + i, 3));
            }
        });
        assertThat(verify().differenceCount()).as("stale, extra and missing rows").isEqualTo(450);

        // The insert-only backfill is blind to rows it finds present: the symptom.
        BackfillReport dry = run(options(BackfillMode.COPY_MISSING).withDryRun(true));
        assertThat(dry.rowsWritten()).isEqualTo(50);
        assertThat(dry.rowsSkipped()).isEqualTo(600 + 300);
        BackfillReport dryCatchUp = run(options(BackfillMode.CATCH_UP).withDryRun(true));
        assertThat(dryCatchUp.rowsWritten()).isEqualTo(50);
        assertThat(dryCatchUp.rowsRefreshed()).as("stale rows found").isEqualTo(300);
        assertThat(dryCatchUp.rowsRemoved()).as("rows without key found").isEqualTo(100);
        assertThat(dryCatchUp.rowsSkipped()).isEqualTo(600);
        assertThat(verify().differenceCount()).as("a dry run writes nothing").isEqualTo(450);

        double refreshedBefore = rowsCounter("refreshed");
        double removedBefore = rowsCounter("removed");
        BackfillReport catchUp = run(options(BackfillMode.CATCH_UP));

        assertThat(catchUp.state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(catchUp.mode()).isEqualTo(BackfillMode.CATCH_UP);
        assertThat(catchUp.rowsRead()).isEqualTo(950);
        assertThat(catchUp.rowsWritten()).isEqualTo(50);
        assertThat(catchUp.rowsRefreshed()).isEqualTo(300);
        assertThat(catchUp.rowsRemoved()).isEqualTo(100);
        assertThat(catchUp.rowsSkipped()).isEqualTo(600);
        assertThat(catchUp.rowsRejected()).isZero();
        assertThat(catchUp.summary()).contains("300 refreshed").contains("100 removed");
        VerificationReport verification = verify();
        assertThat(verification.differences()).as(verification.summary()).isEmpty();
        assertThat(stores.gizmosInPostgres()).isEqualTo(stores.gizmosInRedis()).hasSize(950);
        assertThat(rowsCounter("refreshed") - refreshedBefore).isEqualTo(300);
        assertThat(rowsCounter("removed") - removedBefore).isEqualTo(100);
        assertThat(this.backfill.checkpoint(GIZMOS)).hasValueSatisfying((checkpoint) -> {
            assertThat(checkpoint.state()).isEqualTo(BackfillState.COMPLETED);
            assertThat(checkpoint.mode()).isEqualTo(BackfillMode.CATCH_UP);
            assertThat(checkpoint.rowsRefreshed()).isEqualTo(300);
            assertThat(checkpoint.rowsRemoved()).isEqualTo(100);
        });
    }

    @Test
    void aCatchUpOfUnchangedRowsWritesNothing() {
        stores.seedGizmos(1_000);
        run(options(BackfillMode.COPY_MISSING));
        // xmin changes with every insert, update or delete-and-insert of a row.
        Map<String, String> versions = rowVersions();

        BackfillReport catchUp = run(options(BackfillMode.CATCH_UP));

        assertThat(catchUp.state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(catchUp.rowsWritten()).isZero();
        assertThat(catchUp.rowsRefreshed()).isZero();
        assertThat(catchUp.rowsRemoved()).isZero();
        assertThat(catchUp.rowsSkipped()).isEqualTo(1_000);
        assertThat(rowVersions()).as("no row was written").isEqualTo(versions);
    }

    @Test
    void liveWritesBetweenTheBatchsReadAndItsLocksAreNeverUndone() throws Exception {
        stores.seedGizmos(100);
        run(options(BackfillMode.COPY_MISSING));
        whileAtRedisPrimary(() -> {
            for (int i = 5; i < 20; i++) {
                this.gizmos.save(new Gizmo("g" + i, "rolled back " + i, 1));
            }
            this.gizmos.deleteById("g20");
        });
        // g5 and g6 are stale in PostgreSQL, and their values as the catch-up will read them
        // are "rolled back". Holding their locks as a live write's copy does, this test lets
        // the catch-up read them and wait, then lands a live update of g5 (copied) and a live
        // delete of g6 (whose copy has yet to run) before letting it go on.
        Gizmo live = new Gizmo("g5", "written live", 42);
        BackfillJobReport report;
        try (Connection connection = stores.schema.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            lock(connection, "g5");
            lock(connection, "g6");
            BackfillJob job = this.backfill.start(List.of(GIZMOS), options(BackfillMode.CATCH_UP).withParallelism(1));
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingForLock("g5") || waitingForLock("g6"));
            stores.redis.set(stores.gizmoKey("g5"), BackfillFixture.json(live));
            try (PreparedStatement update = connection
                .prepareStatement("update backfill_gizmos set name = ?, quantity = ? where id = ?")) {
                update.setString(1, live.name());
                update.setInt(2, live.quantity());
                update.setString(3, live.id());
                assertThat(update.executeUpdate()).isOne();
            }
            stores.redis.del(stores.gizmoKey("g6"));
            connection.commit();
            report = job.await();
        }

        BackfillReport catchUp = single(report);
        assertThat(catchUp.state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(stores.gizmosInPostgres().get("g5")).as("the live write, not the value read before it")
            .isEqualTo(BackfillFixture.json(live));
        assertThat(stores.gizmosInPostgres()).doesNotContainKeys("g6", "g20");
        // g7..g19 refreshed; g5 equal once re-read (skipped); g6 (deleted live) and g20 removed.
        assertThat(catchUp.rowsRefreshed()).isEqualTo(13);
        assertThat(catchUp.rowsRemoved()).isEqualTo(2);
        // 99 keys read (g20 was gone already), less 13 refreshed and g6 removed.
        assertThat(catchUp.rowsSkipped()).isEqualTo(99 - 13 - 1);
        VerificationReport verification = verify();
        assertThat(verification.differences()).as(verification.summary()).isEmpty();
    }

    @Test
    void concurrentLiveWritersDuringACatchUpLeaveBothStoresEqual() throws Exception {
        stores.seedGizmos(3_000);
        run(options(BackfillMode.COPY_MISSING));
        whileAtRedisPrimary(() -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < 1_200; i++) {
                String id = "g" + random.nextInt(3_300);
                if (random.nextInt(4) == 0) {
                    this.gizmos.deleteById(id);
                }
                else {
                    this.gizmos.save(new Gizmo(id, "rolled back " + random.nextInt(1000), random.nextInt(50)));
                }
            }
        });
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger liveWrites = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> writers = new ArrayList<>();
        BackfillReport catchUp;
        int operations = 0;
        int overlapping;
        try {
            for (int thread = 0; thread < 4; thread++) {
                writers.add(pool.submit(() -> {
                    int done = 0;
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (writing.get() || done < 200) {
                        // Updates, deletes and creates over the whole range, through the decorator (DUAL).
                        String id = "g" + random.nextInt(3_300);
                        if (random.nextInt(3) == 0) {
                            this.gizmos.deleteById(id);
                        }
                        else {
                            this.gizmos.save(new Gizmo(id, "live " + random.nextInt(1000), random.nextInt(50)));
                        }
                        liveWrites.incrementAndGet();
                        done++;
                    }
                    return done;
                }));
            }
            // Live writes run before, during and after the catch-up; this counts those that
            // completed while it ran. It shows the two overlapped, not that a given write fell
            // between some batch's read and its locks (liveWritesBetweenTheBatchsReadAndItsLocks...
            // forces that case).
            await().atMost(Duration.ofSeconds(30)).until(() -> liveWrites.get() >= 20);
            int before = liveWrites.get();
            catchUp = run(options(BackfillMode.CATCH_UP).withBatchSize(50).withParallelism(3));
            overlapping = liveWrites.get() - before;
            writing.set(false);
            for (Future<Integer> writer : writers) {
                operations += writer.get(60, TimeUnit.SECONDS);
            }
        }
        finally {
            writing.set(false);
            pool.shutdownNow();
        }
        assertThat(catchUp.state()).isEqualTo(BackfillState.COMPLETED);
        System.out.printf("catch-up of %,d keys with %,d live writes, %,d of them completed while it ran: %s%n", 3_000,
                operations, overlapping, catchUp.summary());
        assertThat(overlapping).as("live writes completed while the catch-up ran").isPositive();
        // A live write whose PostgreSQL copy failed (a slow moment on a loaded machine) is owed
        // to the reconciler, not lost: the stores must agree once it has run.
        // Once every write's intent is closed (its copy confirmed, or recorded for repair).
        await().atMost(Duration.ofSeconds(60))
            .until(() -> stores.openGizmoIntents() == 0 && this.redisRepairLog.pendingCount(GIZMOS) == 0);
        VerificationReport verification = verify();
        assertThat(verification.differences()).as(verification.summary()).isEmpty();
        assertThat(stores.gizmosInPostgres()).as("PostgreSQL equals Redis key by key").isEqualTo(stores.gizmosInRedis());
    }

    @Test
    void aKeyPatternLimitsWhichRowsOfGoneKeysAreRemoved() {
        stores.seedGizmos(20);
        run(options(BackfillMode.COPY_MISSING));
        whileAtRedisPrimary(() -> {
            this.gizmos.deleteById("g1");
            this.gizmos.deleteById("g2");
            this.gizmos.deleteById("g11");
        });

        BackfillReport catchUp = run(options(BackfillMode.CATCH_UP).withKeyPattern("g1*"));

        assertThat(catchUp.rowsRemoved()).as("g1 and g11 match 'g1*', g2 does not").isEqualTo(2);
        assertThat(stores.gizmosInPostgres()).containsKey("g2").doesNotContainKeys("g1", "g11");
    }

    @Test
    void aCatchUpIsRefusedOutsideDualEvenWhenDualIsNotRequired() {
        stores.seedGizmos(10);
        run(options(BackfillMode.COPY_MISSING));
        whileAtRedisPrimary(() -> this.gizmos.save(new Gizmo("g1", "older, in Redis only", 1)));
        Map<String, String> before = stores.gizmosInPostgres();
        this.strategies.change(GIZMOS, WriteStrategy.POSTGRES_PRIMARY, true);

        // At POSTGRES_PRIMARY PostgreSQL is newer than Redis: a catch-up would roll it back.
        assertThatExceptionOfType(BackfillStageException.class)
            .isThrownBy(() -> this.backfill.start(List.of(GIZMOS),
                    options(BackfillMode.CATCH_UP).withRequireDual(false)))
            .withMessageContaining("Repository '" + GIZMOS + "' is at POSTGRES_PRIMARY")
            .withMessageContaining("require-dual=false does not apply to a catch-up");
        assertThat(stores.gizmosInPostgres()).as("nothing written").isEqualTo(before);
    }

    @Test
    void aCatchUpStopsBeforeItsNextBatchOnceTheStageMovedDuringTheRun() throws Exception {
        stores.seedGizmos(1_000);
        run(options(BackfillMode.COPY_MISSING));
        whileAtRedisPrimary(() -> {
            for (int i = 0; i < 1_000; i++) {
                this.gizmos.save(new Gizmo("g" + i, "changed " + i, 1));
            }
        });
        BackfillJobReport report;
        long refreshedBeforeTheMove;
        try (Connection connection = stores.schema.dataSource().getConnection()) {
            // The writer's batch that holds g500 waits for its lock, as for a live write's copy;
            // meanwhile the stage leaves DUAL and comes back (two new epochs).
            connection.setAutoCommit(false);
            lock(connection, "g500");
            BackfillJob job = this.backfill.start(List.of(GIZMOS),
                    options(BackfillMode.CATCH_UP).withBatchSize(50).withParallelism(1));
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingForLock("g500"));
            whileAtRedisPrimary(() -> {
            });
            refreshedBeforeTheMove = job.progress().get(0).rowsRefreshed();
            connection.commit();
            report = job.await();
        }

        BackfillReport catchUp = single(report);
        assertThat(catchUp.state()).isEqualTo(BackfillState.FAILED);
        assertThat(catchUp.message()).contains("moved from epoch").contains("during the catch-up, which stopped");
        // The batch under way when the stage moved (g500's) still commits, no later one. A batch
        // gathers SCAN replies (COUNT 50) until it holds 50 keys: up to about 100, and a reply
        // may exceed its COUNT; 150 leaves that margin and is still far below the 1,000.
        assertThat(stores.gizmosInPostgres().get("g500")).contains("changed 500");
        assertThat(catchUp.rowsRefreshed()).isLessThanOrEqualTo(refreshedBeforeTheMove + 150);
        long stale = stores.gizmosInPostgres().values().stream().filter((json) -> !json.contains("changed")).count();
        assertThat(stale).as("rows left stale").isEqualTo(1_000 - catchUp.rowsRefreshed());
        System.out.printf("catch-up stopped by a stage move: %d refreshed before the move, %d in all, %d left stale%n",
                refreshedBeforeTheMove, catchUp.rowsRefreshed(), stale);
    }

    @Test
    void aRetriedRejectOfACatchUpRefreshesItsStaleRow() {
        stores.seedGizmos(10);
        run(options(BackfillMode.COPY_MISSING));
        stores.redis.set(stores.gizmoKey("g3"), "{not json");
        BackfillReport catchUp = run(options(BackfillMode.CATCH_UP));
        assertThat(catchUp.rowsRejected()).isOne();
        assertThat(stores.gizmosInPostgres().get("g3")).as("left stale").contains("gizmo 3");
        Gizmo fixed = new Gizmo("g3", "fixed", 7);
        stores.redis.set(stores.gizmoKey("g3"), BackfillFixture.json(fixed));

        Backfill.RetryReport retry = this.backfill.retryRejects(GIZMOS);

        assertThat(retry.copied()).isOne();
        assertThat(this.backfill.rejectCount(GIZMOS)).isZero();
        // An insert-only retry found the row present, dropped the reject and left it stale.
        assertThat(stores.gizmosInPostgres().get("g3")).isEqualTo(BackfillFixture.json(fixed));
    }

    @Test
    void aRowPostgresRefusesToDeleteIsSetAsideAndTheOtherGoneRowsAreRemoved() {
        stores.seedGizmos(10);
        run(options(BackfillMode.COPY_MISSING));
        stores.postgres.execute("create table gizmo_refs (gizmo_id varchar(100) references backfill_gizmos (id))");
        try {
            stores.postgres.update("insert into gizmo_refs values ('g4')");
            whileAtRedisPrimary(() -> {
                this.gizmos.deleteById("g4");
                this.gizmos.deleteById("g5");
                this.gizmos.deleteById("g6");
            });

            BackfillReport catchUp = run(options(BackfillMode.CATCH_UP));

            assertThat(catchUp.state()).isEqualTo(BackfillState.COMPLETED);
            assertThat(catchUp.rowsRemoved()).isEqualTo(2);
            assertThat(catchUp.rowsRejected()).isOne();
            assertThat(stores.gizmosInPostgres()).containsKey("g4").doesNotContainKeys("g5", "g6");
            assertThat(this.backfill.rejects(GIZMOS, null, 10)).singleElement().satisfies((reject) -> {
                assertThat(reject.key()).isEqualTo(stores.gizmoKey("g4"));
                assertThat(reject.reason()).startsWith("the key is gone from Redis but PostgreSQL refused to delete "
                        + "its row").contains("foreign key");
            });
            assertThat(this.backfill.checkpoint(GIZMOS)).hasValueSatisfying((checkpoint) -> {
                assertThat(checkpoint.rowsRemoved()).isEqualTo(2);
                assertThat(checkpoint.rowsRejected()).isOne();
            });
        }
        finally {
            stores.postgres.execute("drop table gizmo_refs");
        }
    }

    // A measurement, not a check (7 runs over 10,000 keys): run with -Ddualwrite.benchmark=true.
    @Test
    @EnabledIfSystemProperty(named = "dualwrite.benchmark", matches = "true")
    void catchUpCostNextToAnInsertOnlyRerunOverTheSameUnchangedKeys() {
        int keys = 10_000;
        stores.seedGizmos(keys);
        BackfillOptions options = this.backfill.defaults().withBatchSize(500);
        run(options);
        long[] insertOnly = new long[3];
        long[] catchUp = new long[3];
        for (int round = 0; round < 3; round++) {
            BackfillReport copy = run(options.withMode(BackfillMode.COPY_MISSING));
            BackfillReport caughtUp = run(options.withMode(BackfillMode.CATCH_UP));
            assertThat(copy.rowsSkipped()).isEqualTo(keys);
            assertThat(caughtUp.rowsSkipped()).isEqualTo(keys);
            assertThat(caughtUp.rowsRefreshed() + caughtUp.rowsRemoved() + caughtUp.rowsWritten()).isZero();
            insertOnly[round] = copy.duration().toMillis();
            catchUp[round] = caughtUp.duration().toMillis();
        }
        long bestInsertOnly = Math.max(1, Math.min(insertOnly[0], Math.min(insertOnly[1], insertOnly[2])));
        long bestCatchUp = Math.min(catchUp[0], Math.min(catchUp[1], catchUp[2]));
        System.out.printf(Locale.ROOT,
                "over %,d unchanged present keys (batches of 500, best of 3): insert-only %,d ms, catch-up %,d ms "
                        + "(x%.2f); rounds insert-only %s ms, catch-up %s ms%n",
                keys, bestInsertOnly, bestCatchUp, (double) bestCatchUp / bestInsertOnly,
                Arrays.toString(insertOnly), Arrays.toString(catchUp));
    }

    private void whileAtRedisPrimary(Runnable writes) {
        this.strategies.change(GIZMOS, WriteStrategy.REDIS_PRIMARY, true);
        try {
            writes.run();
        }
        finally {
            this.strategies.change(GIZMOS, WriteStrategy.DUAL, true);
        }
    }

    private BackfillReport run(BackfillOptions options) {
        return single(this.backfill.run(List.of(GIZMOS), options));
    }

    private static BackfillReport single(BackfillJobReport report) {
        assertThat(report.reports()).hasSize(1);
        return report.reports().get(0);
    }

    private VerificationReport verify() {
        return this.verifier.verify(Verifier.find(this.registry::all, GIZMOS), VerifyOptions.full());
    }

    private double rowsCounter(String outcome) {
        return this.meters.get(BackfillMetrics.ROWS).tag("repository", GIZMOS).tag("outcome", outcome).counter()
            .count();
    }

    private Map<String, String> rowVersions() {
        Map<String, String> versions = new TreeMap<>();
        stores.postgres.query("select id, xmin::text from backfill_gizmos",
                (RowCallbackHandler) (rs) -> versions.put(rs.getString(1), rs.getString(2)));
        return versions;
    }

    // The key's advisory lock, as every library writer of the key takes it.
    private static void lock(Connection connection, String id) throws Exception {
        try (PreparedStatement statement = connection
            .prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            statement.setString(1, GIZMOS + ":" + id);
            statement.execute();
        }
    }

    private static boolean waitingForLock(String id) {
        Long waiting = stores.postgres.queryForObject("select count(*) from pg_locks where locktype = 'advisory' "
                + "and not granted and ((classid::bigint << 32) | objid::bigint) = hashtextextended(?, 0)",
                Long.class, GIZMOS + ":" + id);
        return waiting != null && waiting > 0;
    }

}
