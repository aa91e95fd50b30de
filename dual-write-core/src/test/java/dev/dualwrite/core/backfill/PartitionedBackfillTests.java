package dev.dualwrite.core.backfill;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.dualwrite.backfill.ClusterItem;
import dev.dualwrite.core.backfill.PartitionStore.Claim;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.pair.EntityMapping;
import dev.dualwrite.core.redis.json.RedisJsonCodec;
import dev.dualwrite.core.redis.json.RedisJsonEntityInformation;
import dev.dualwrite.core.redis.json.RedisJsonMappingContext;
import dev.dualwrite.core.redis.json.RedisJsonPersistentEntity;
import dev.dualwrite.core.redis.json.RedisJsonRepositoryFactory;
import dev.dualwrite.core.redis.scan.JsonStringScanner;
import dev.dualwrite.core.store.PostgresSide;
import dev.dualwrite.core.store.RedisSide;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.testsupport.RedisCluster;
import dev.dualwrite.testsupport.TestSchema;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.annotation.Id;
import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.jdbc.core.convert.JdbcConverter;
import org.springframework.data.jdbc.repository.config.AbstractJdbcConfiguration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.relational.core.mapping.RelationalMappingContext;
import org.springframework.data.relational.core.mapping.Table;
import org.springframework.data.repository.CrudRepository;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Partitioned backfill runs against a Redis Cluster of three masters that the test starts
 * ({@link RedisCluster}) and a PostgreSQL schema of its own: two workers ({@link Backfill}
 * instances, each with its own worker id, as two processes would be) share one run, one
 * partition per master, copying every key once; a worker that stops renewing its lease has its
 * partition taken over and resumed from its checkpoint by the other, and moves nothing once it
 * lost it; a worker whose renewals stall stops copying and releases each partition at its
 * checkpoint; a claim's fenced updates change nothing for a worker that lost the partition,
 * and a final save repeated after a lost reply is still its owner's; forgetting a run stops its
 * workers, also when the run is created while the forget waits; an unfinished unpartitioned
 * run is split from its checkpoint; a worker with other options, a catch-up and a restart are
 * refused.
 */
@EnabledIf("redisServerInstalled")
class PartitionedBackfillTests {

    private static final int KEYS = 12_000;

    private static final String REPOSITORY = "items";

    private static RedisCluster cluster;

    private static TestSchema schema;

    private static AnnotationConfigApplicationContext context;

    private static JdbcTemplate jdbc;

    private static BackfillSource<ClusterItem, PartitionedItem, String> source;

    private static Set<String> ids;

    // Counted once, up front: counting needs a cluster client, slow to start on a busy machine,
    // and some tests compare with it while a worker copies.
    private static Map<String, Long> keysByPartition;

    private final List<Backfill> workers = new ArrayList<>();

    static boolean redisServerInstalled() {
        return RedisCluster.serverInstalled();
    }

    @BeforeAll
    static void startStores() throws Exception {
        cluster = RedisCluster.start(3);
        ids = seed();
        schema = TestSchema.create(PartitionedBackfillTests.class);
        new ResourceDatabasePopulator(new ClassPathResource("db/dualwrite/V2__backfill.sql"),
                new ClassPathResource("db/dualwrite/V6__backfill_catch_up.sql"),
                new ClassPathResource("db/dualwrite/V7__backfill_partitions.sql"))
            .execute(schema.dataSource());
        jdbc = new JdbcTemplate(schema.dataSource());
        jdbc.execute("create table partitioned_items (id text primary key, name text)");
        context = new AnnotationConfigApplicationContext();
        context.registerBean(TestSchema.class, () -> schema);
        context.register(JdbcSetUp.class);
        context.refresh();
        source = source();
        keysByPartition = new HashMap<>();
        for (String partition : source.scanner().partitions(source.scanner().initialPosition()).keySet()) {
            keysByPartition.put(partition, keysOn(partition));
        }
    }

    @AfterAll
    static void stopStores() throws Exception {
        if (context != null) {
            context.close();
        }
        if (schema != null) {
            schema.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void noRows() {
        jdbc.update("delete from partitioned_items");
        jdbc.update("delete from dualwrite_backfill_checkpoint");
        jdbc.update("delete from dualwrite_backfill_partition");
        jdbc.update("delete from dualwrite_backfill_reject");
    }

    @AfterEach
    void closeWorkers() {
        this.workers.forEach(Backfill::close);
    }

    @Test
    void twoWorkersShareOneRunOnePartitionPerMasterAndCopyEveryKeyOnce() {
        Backfill first = worker();
        Backfill second = worker();
        // A longer lease than the other tests': a renewal slowed past half of it (a busy
        // machine, a pool of 4 connections for both workers) would have a claim lapse and the
        // partition claimed twice.
        BackfillOptions options = options().withRateLimit(4_000).withLease(Duration.ofSeconds(6));

        BackfillJob firstJob = first.start(List.of(REPOSITORY), options);
        BackfillJob secondJob = second.start(List.of(REPOSITORY), options);
        BackfillReport firstReport = firstJob.await(Duration.ofSeconds(120)).reports().get(0);
        BackfillReport secondReport = secondJob.await(Duration.ofSeconds(120)).reports().get(0);

        assertThat(firstReport.state()).as(firstReport.summary()).isEqualTo(BackfillState.COMPLETED);
        assertThat(secondReport.state()).as(secondReport.summary()).isEqualTo(BackfillState.COMPLETED);
        assertThat(idsInPostgres()).isEqualTo(ids);
        BackfillCheckpoint run = first.checkpoint(REPOSITORY).orElseThrow();
        assertThat(run.state()).isEqualTo(BackfillState.COMPLETED);
        // Read once in all: no key was copied by both workers.
        assertThat(run.rowsRead()).isEqualTo(KEYS);
        assertThat(run.rowsWritten()).isEqualTo(KEYS);
        assertThat(firstReport.rowsRead() + secondReport.rowsRead()).isEqualTo(KEYS);
        List<BackfillPartition> partitions = first.partitions(REPOSITORY);
        assertThat(partitions).hasSize(3).allSatisfy((partition) -> {
            assertThat(partition.state()).isEqualTo(BackfillState.COMPLETED);
            assertThat(partition.runId()).isEqualTo(run.runId());
            assertThat(partition.claims()).as("claimed once, by one worker").isEqualTo(1);
            assertThat(partition.owner()).isIn(first.workerId(), second.workerId());
        });
        assertThat(partitions.stream().map(BackfillPartition::partition).collect(Collectors.toSet()))
            .isEqualTo(source.scanner().partitions(source.scanner().initialPosition()).keySet());
        assertThat(partitions.stream().mapToLong(BackfillPartition::rowsRead).sum()).isEqualTo(KEYS);
        assertThat(partitions.stream().map(BackfillPartition::owner).collect(Collectors.toSet()))
            .as("both workers copied").containsExactlyInAnyOrder(first.workerId(), second.workerId());
        assertThat(List.of(firstReport.message(), secondReport.message()))
            .filteredOn((message) -> message != null && message.endsWith("and completed the run"))
            .as("one worker completed the run")
            .hasSize(1);
    }

    @Test
    void aWorkerThatStopsRenewingHasItsPartitionTakenOverAndResumedFromItsCheckpoint() throws Exception {
        Backfill dying = worker();
        BackfillJob dyingJob = dying.start(List.of(REPOSITORY), options().withRateLimit(1_000));
        BackfillPartition held = heldOnceRead(dying, 2_000);
        // Dies: frozen where it stands (no more batches read), its lease no longer renewed. (Its
        // threads still run: once its claim has lapsed it releases the partition at its
        // checkpoint, where a dead worker would leave its lease to run out; either way the
        // survivor resumes it from that checkpoint. PartitionedBackfillProcessTests kills one.)
        dying.stopRenewingLeases();
        dyingJob.pause();
        TimeUnit.MILLISECONDS.sleep(700);
        BackfillPartition atDeath = partition(dying, held.partition());
        String start = source.scanner().partitions(source.scanner().initialPosition()).get(held.partition()).text();
        assertThat(atDeath.owner()).isEqualTo(dying.workerId());
        assertThat(atDeath.position()).as("checkpointed past its start").isNotEqualTo(start);
        long keysOfThePartition = keysByPartition.get(held.partition());
        assertThat(atDeath.rowsRead()).isBetween(2_000L, keysOfThePartition - 1);

        Backfill survivor = worker();
        // Its own claims last longer: one that lapsed on a busy machine would count a claim more.
        BackfillReport report = runToEnd(survivor, options().withLease(Duration.ofSeconds(6)));

        assertThat(report.state()).as(report.summary()).isEqualTo(BackfillState.COMPLETED);
        assertThat(report.resumed()).isTrue();
        assertThat(idsInPostgres()).isEqualTo(ids);
        BackfillPartition takenOver = partition(survivor, held.partition());
        assertThat(takenOver.state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(takenOver.owner()).isEqualTo(survivor.workerId());
        assertThat(takenOver.claims()).isEqualTo(2);
        // Resumed, not started again: the survivor read the rest of the partition only (and the
        // batches the dead worker had read ahead of its last checkpoint: at most the pipeline's
        // queue and writers, 6 batches of about 200).
        long readAgain = takenOver.rowsRead() - atDeath.rowsRead();
        assertThat(readAgain).isLessThan(keysOfThePartition)
            .isLessThanOrEqualTo(keysOfThePartition - atDeath.rowsRead() + 1_600);
        assertThat(report.rowsRead()).isLessThan(KEYS);
        assertThat(survivor.checkpoint(REPOSITORY).orElseThrow().state()).isEqualTo(BackfillState.COMPLETED);

        // Comes back to life. While paused it released the partition (no renewal for five
        // sixths of the lease) and claimed nothing more; so the partition's row is left as the
        // survivor completed it, the late worker does not report it copied, and with the run
        // completed its job ends.
        dyingJob.resume();
        BackfillReport late = dyingJob.await(Duration.ofSeconds(60)).reports().get(0);
        assertThat(late.message()).as(late.summary()).doesNotContain(held.partition());
        assertThat(partition(survivor, held.partition())).isEqualTo(takenOver);
        assertThat(idsInPostgres()).isEqualTo(ids);
    }

    @Test
    void aWorkerWhoseRenewalsStallStopsCopyingReleasesAndReclaimsEachPartitionAndStillCopiesEveryKey() {
        Backfill worker = worker();
        BackfillJob job = worker.start(List.of(REPOSITORY), options().withRateLimit(1_000));
        BackfillPartition held = heldOnceRead(worker, 200);

        // Its renewal thread stalls (as on a connection that never answers), while its reader
        // and writers go on: nothing tells them the claim is running out but the lease's age.
        worker.stopRenewingLeases();
        BackfillReport report = job.await(Duration.ofSeconds(120)).reports().get(0);

        // At 1,000 rows/s a partition of about 4,000 keys outlasts five sixths of a 2 s lease:
        // each claim lapsed before its partition was done, the worker stopped copying it and
        // released it at its checkpoint, and claimed it again from there. Had it gone on
        // copying with its claim lapsed, each partition would have been claimed once.
        assertThat(report.state()).as(report.summary()).isEqualTo(BackfillState.COMPLETED);
        assertThat(idsInPostgres()).isEqualTo(ids);
        assertThat(worker.partitions(REPOSITORY)).allSatisfy((partition) -> {
            assertThat(partition.state()).isEqualTo(BackfillState.COMPLETED);
            assertThat(partition.owner()).isEqualTo(worker.workerId());
            assertThat(partition.claims()).as(partition.partition()).isGreaterThan(1);
        });
    }

    @Test
    void aWorkerThatLostItsLeaseMovesNothing() {
        PartitionStore store = new PartitionStore(schema.dataSource(), new CheckpointStore(jdbc));
        PartitionStore.Joined run = store.join(REPOSITORY, options(), source.scanner());
        PartitionStore.Joined joined = store.join(REPOSITORY, options(), source.scanner());
        assertThat(joined.runId()).as("the second worker joins the first one's run").isEqualTo(run.runId());
        assertThat(joined.created()).isFalse();
        Duration lease = Duration.ofMinutes(1);
        Claim first = store.claim(REPOSITORY, run.runId(), "worker-a", lease);
        assertThat(first).isNotNull();
        assertThat(store.save(REPOSITORY, first.partition(), run.runId(), "worker-a", BackfillState.RUNNING, "moved",
                new long[] { 1, 1, 0, 0 })).isTrue();
        Claim other = store.claim(REPOSITORY, run.runId(), "worker-b", lease);
        assertThat(other).isNotNull();
        assertThat(other.partition()).as("a held partition is not claimed").isNotEqualTo(first.partition());

        jdbc.update("update dualwrite_backfill_partition set lease_until = now() - interval '1 second' "
                + "where partition_key = ?", first.partition());
        Claim takeover = store.claim(REPOSITORY, run.runId(), "worker-b", lease);

        assertThat(takeover).isNotNull();
        assertThat(takeover.partition()).isEqualTo(first.partition());
        assertThat(takeover.previousOwner()).isEqualTo("worker-a");
        assertThat(takeover.position()).isEqualTo("moved");
        assertThat(store.renew(REPOSITORY, first.partition(), run.runId(), "worker-a", lease)).isFalse();
        assertThat(store.save(REPOSITORY, first.partition(), run.runId(), "worker-a", BackfillState.RUNNING,
                "moved again", new long[] { 2, 2, 0, 0 })).isFalse();
        assertThat(store.save(REPOSITORY, first.partition(), run.runId(), "worker-a", BackfillState.COMPLETED,
                "the end", new long[] { 2, 2, 0, 0 })).isFalse();
        BackfillPartition after = partition(store, first.partition());
        assertThat(after.owner()).isEqualTo("worker-b");
        assertThat(after.position()).isEqualTo("moved");
        assertThat(after.rowsRead()).isEqualTo(1);
        assertThat(after.state()).isEqualTo(BackfillState.RUNNING);
        assertThat(store.completeRun(REPOSITORY, run.runId())).as("partitions still open: not marked").isNull();
    }

    @Test
    void aFinalSaveRepeatedWithTheSameValuesStillCountsAsTheOwnersWhileAnotherEndDoesNot() {
        PartitionStore store = new PartitionStore(schema.dataSource(), new CheckpointStore(jdbc));
        PartitionStore.Joined run = store.join(REPOSITORY, options(), source.scanner());
        Claim claim = store.claim(REPOSITORY, run.runId(), "worker-a", Duration.ofMinutes(1));
        assertThat(claim).isNotNull();
        long[] counters = { 40, 39, 1, 0 };
        assertThat(store.save(REPOSITORY, claim.partition(), run.runId(), "worker-a", BackfillState.COMPLETED, "end",
                counters)).isTrue();

        // What the run's retry does when the first save committed but its reply was lost: the
        // same save again. It finds its own work, so the worker neither reports the partition
        // lost nor leaves it out of what it copied.
        assertThat(store.save(REPOSITORY, claim.partition(), run.runId(), "worker-a", BackfillState.COMPLETED, "end",
                counters)).isTrue();

        // Any other end of a completed partition is refused, by its owner too.
        assertThat(store.save(REPOSITORY, claim.partition(), run.runId(), "worker-a", BackfillState.COMPLETED,
                "elsewhere", counters)).isFalse();
        assertThat(store.save(REPOSITORY, claim.partition(), run.runId(), "worker-a", BackfillState.RUNNING, "end",
                counters)).isFalse();
        assertThat(store.save(REPOSITORY, claim.partition(), run.runId(), "worker-b", BackfillState.COMPLETED, "end",
                counters)).isFalse();
        BackfillPartition saved = partition(store, claim.partition());
        assertThat(saved.state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(saved.position()).isEqualTo("end");
        assertThat(saved.owner()).isEqualTo("worker-a");
        assertThat(saved.rowsRead()).isEqualTo(40);
    }

    @Test
    void aRunCreatedWhileAForgetWaitsForTheRunsLockIsForgottenToo() throws Exception {
        TransactionTemplate transactions = new TransactionTemplate(
                new DataSourceTransactionManager(schema.dataSource()));
        CountDownLatch forgetWaits = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch locked = new CountDownLatch(1);
            // A worker creating a run: it holds the runs' lock while it writes the run's rows.
            Future<?> creating = threads.submit(() -> transactions.executeWithoutResult((status) -> {
                jdbc.query("select " + PartitionStore.RUNS_LOCK_SQL, (rs) -> null,
                        PartitionStore.runsLockName(REPOSITORY));
                locked.countDown();
                await().atMost(Duration.ofSeconds(30)).until(() -> forgetWaits.getCount() == 0);
                jdbc.update("insert into dualwrite_backfill_checkpoint (repository, run_id, state, key_pattern, "
                        + "mode, position, started_at, updated_at) values (?, 'created-meanwhile', 'RUNNING', '*', "
                        + "'COPY_MISSING', '', now(), now())", REPOSITORY);
                jdbc.update("insert into dualwrite_backfill_partition (repository, partition_key, run_id, state, "
                        + "position) values (?, 'all', 'created-meanwhile', 'PENDING', '')", REPOSITORY);
            }));
            assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();
            Future<?> forgetting = threads.submit(() -> new CheckpointStore(jdbc).forget(REPOSITORY));
            // The forget waits for this very lock (a bigint lock: classid holds its high 32 bits).
            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject("select count(*) from pg_locks "
                    + "where locktype = 'advisory' and not granted and objsubid = 1 "
                    + "and database = (select oid from pg_database where datname = current_database()) "
                    + "and ((classid::bigint << 32) | objid::bigint) = hashtextextended(current_schema() || ?, 0)",
                    Integer.class, PartitionStore.runsLockName(REPOSITORY)) > 0);
            forgetWaits.countDown();
            creating.get(30, TimeUnit.SECONDS);
            forgetting.get(30, TimeUnit.SECONDS);
        }
        finally {
            threads.shutdownNow();
        }

        assertThat(jdbc.queryForObject("select count(*) from dualwrite_backfill_checkpoint where repository = ?",
                Integer.class, REPOSITORY)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from dualwrite_backfill_partition where repository = ?",
                Integer.class, REPOSITORY)).isZero();
    }

    @Test
    void anUnfinishedCheckpointWithNothingLeftToScanGivesARunOfNoPartitionsThatCompletesAtOnce() {
        // A run that was not partitioned, killed after its last checkpoint: every master done.
        String allDone = keysByPartition.keySet()
            .stream()
            .sorted()
            .map((partition) -> partition + "=done")
            .collect(Collectors.joining(","));
        new CheckpointStore(jdbc).begin(new BackfillCheckpoint(REPOSITORY, "killed-at-the-end", BackfillState.RUNNING,
                "*", BackfillMode.COPY_MISSING, allDone, KEYS, KEYS, 0, 0, 0, 0, null, Instant.now(), Instant.now(),
                null));

        Backfill worker = worker();
        BackfillReport report = runToEnd(worker, options());

        assertThat(report.state()).as(report.summary()).isEqualTo(BackfillState.COMPLETED);
        assertThat(report.rowsRead()).isZero();
        assertThat(worker.partitions(REPOSITORY)).isEmpty();
        assertThat(worker.checkpoint(REPOSITORY).orElseThrow().state()).isEqualTo(BackfillState.COMPLETED);
    }

    @Test
    void aRunWhoseCheckpointIsForgottenMeanwhileStopsMidPartitionWithoutCompletingAndANewRunCopiesEverything() {
        Backfill worker = worker();
        BackfillJob job = worker.start(List.of(REPOSITORY), options().withRateLimit(1_000));
        BackfillPartition held = heldOnceRead(worker, 1_000);
        String forgotten = worker.checkpoint(REPOSITORY).orElseThrow().runId();
        long keysOfThePartition = keysByPartition.get(held.partition());
        assertThat(job.progress().get(0).rowsRead()).as("still in its first partition")
            .isLessThan(keysOfThePartition);

        // What the control plane does when the repository enters DUAL again from REDIS_PRIMARY:
        // writes made meanwhile may be missing from every copy so far.
        new CheckpointStore(jdbc).forget(REPOSITORY);
        BackfillReport report = job.await(Duration.ofSeconds(120)).reports().get(0);

        assertThat(report.state()).as(report.summary()).isEqualTo(BackfillState.FAILED);
        assertThat(report.message()).contains(forgotten).contains("was replaced");
        // Its next renewal or checkpoint found its claim gone (a renewal every 0.67 s, 1,000
        // rows/s), so it stopped copying the partition it held, its first, rather than finish it.
        assertThat(report.rowsRead()).as(report.summary()).isLessThan(keysOfThePartition);
        assertThat(worker.checkpoint(REPOSITORY)).as("the forgotten run is not recorded at all, completed or not")
            .isEmpty();
        assertThat(worker.partitions(REPOSITORY)).as("nor are its partitions").isEmpty();

        BackfillReport again = runToEnd(worker(), options());

        assertThat(again.state()).as(again.summary()).isEqualTo(BackfillState.COMPLETED);
        BackfillCheckpoint run = worker.checkpoint(REPOSITORY).orElseThrow();
        assertThat(run.runId()).isNotEqualTo(forgotten);
        assertThat(run.state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(worker.partitions(REPOSITORY)).allSatisfy((partition) -> {
            assertThat(partition.runId()).isEqualTo(run.runId());
            assertThat(partition.state()).isEqualTo(BackfillState.COMPLETED);
        });
        assertThat(idsInPostgres()).isEqualTo(ids);
    }

    @Test
    void anUnfinishedRunThatWasNotPartitionedIsSplitFromItsCheckpointNotScannedAgain() {
        Backfill single = worker();
        BackfillJob job = single.start(List.of(REPOSITORY), options().withPartitioned(false).withRateLimit(2_000));
        await().atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> single.checkpoint(REPOSITORY).map(BackfillCheckpoint::rowsRead).orElse(0L) >= 3_000);
        job.stop();
        BackfillReport stopped = job.await(Duration.ofSeconds(60)).reports().get(0);
        assertThat(stopped.state()).as(stopped.summary()).isEqualTo(BackfillState.STOPPED);
        BackfillCheckpoint checkpoint = single.checkpoint(REPOSITORY).orElseThrow();

        Backfill worker = worker();
        BackfillReport report = runToEnd(worker, options());

        assertThat(report.state()).as(report.summary()).isEqualTo(BackfillState.COMPLETED);
        assertThat(report.resumed()).isTrue();
        // The split run starts where the stopped one stood: the keys it had read are not read again.
        assertThat(report.rowsRead()).isLessThanOrEqualTo(KEYS - checkpoint.rowsRead());
        assertThat(idsInPostgres()).isEqualTo(ids);
    }

    @Test
    void aWorkerWithOtherOptionsDoesNotReplaceARunUnderWay() {
        PartitionStore store = new PartitionStore(schema.dataSource(), new CheckpointStore(jdbc));
        PartitionStore.Joined run = store.join(REPOSITORY, options(), source.scanner());
        assertThat(store.claim(REPOSITORY, run.runId(), "worker-a", Duration.ofMinutes(1))).isNotNull();

        PartitionStore.Joined other = store.join(REPOSITORY, options().withKeyPattern("1*"), source.scanner());

        assertThat(other.refused()).contains(run.runId()).contains("other options");
        assertThat(store.list(REPOSITORY)).hasSize(3).allSatisfy((partition) -> assertThat(partition.runId())
            .isEqualTo(run.runId()));
    }

    @Test
    void aPartitionedRunRefusesACatchUpAndARestart() {
        Backfill worker = worker();
        assertThatIllegalArgumentException()
            .isThrownBy(() -> worker.start(List.of(REPOSITORY), options().withMode(BackfillMode.CATCH_UP)))
            .withMessageContaining("does not catch up");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> worker.start(List.of(REPOSITORY), options().withRestart(true)))
            .withMessageContaining("cannot restart");
    }

    private static BackfillOptions options() {
        return BackfillOptions.DEFAULTS.withPartitioned(true)
            .withLease(Duration.ofSeconds(2))
            .withBatchSize(200)
            .withParallelism(2)
            .withScan(200, 64, Duration.ofSeconds(10))
            .withProgressInterval(Duration.ofSeconds(1));
    }

    private Backfill worker() {
        Backfill worker = new Backfill(List.of(source), schema.dataSource(),
                new BackfillMetrics(new SimpleMeterRegistry()), Map.of(), (repository) -> WriteStrategy.DUAL,
                options());
        this.workers.add(worker);
        return worker;
    }

    // One worker's run of the repository, to its end.
    private static BackfillReport runToEnd(Backfill worker, BackfillOptions options) {
        return worker.start(List.of(REPOSITORY), options).await(Duration.ofSeconds(120)).reports().get(0);
    }

    // The partition a worker holds, once its checkpoints say it read at least that many rows.
    private static BackfillPartition heldOnceRead(Backfill worker, long rows) {
        return await().atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> worker.partitions(REPOSITORY)
                .stream()
                .filter((partition) -> partition.state() == BackfillState.RUNNING && partition.rowsRead() >= rows)
                .findFirst()
                .orElse(null), (partition) -> partition != null);
    }

    private static BackfillPartition partition(PartitionStore store, String name) {
        return named(store.list(REPOSITORY), name);
    }

    private static BackfillPartition partition(Backfill worker, String name) {
        return named(worker.partitions(REPOSITORY), name);
    }

    private static BackfillPartition named(List<BackfillPartition> partitions, String name) {
        return partitions.stream().filter((partition) -> partition.partition().equals(name)).findFirst().orElseThrow();
    }

    private static Set<String> idsInPostgres() {
        List<String> found = jdbc.queryForList("select id from partitioned_items", String.class);
        assertThat(found).doesNotHaveDuplicates();
        return new HashSet<>(found);
    }

    private static long keysOn(String node) {
        RedisClusterClient client = RedisClusterClient.create("redis://127.0.0.1:" + cluster.firstPort());
        try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
            return connection.getConnection(node).sync().dbsize();
        }
        finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static Set<String> seed() throws Exception {
        Set<String> written = new HashSet<>();
        RedisClusterClient client = RedisClusterClient.create("redis://127.0.0.1:" + cluster.firstPort());
        try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
            List<RedisFuture<String>> replies = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                replies.add(connection.async().set("item:" + i, "{\"id\":\"" + i + "\",\"name\":\"n" + i + "\"}"));
                written.add(String.valueOf(i));
            }
            for (RedisFuture<String> reply : replies) {
                reply.get(30, TimeUnit.SECONDS);
            }
        }
        finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        return written;
    }

    private static BackfillSource<ClusterItem, PartitionedItem, String> source() {
        RedisJsonMappingContext mapping = new RedisJsonMappingContext();
        @SuppressWarnings("unchecked")
        RedisJsonPersistentEntity<ClusterItem> entity = (RedisJsonPersistentEntity<ClusterItem>) mapping
            .getRequiredPersistentEntity(ClusterItem.class);
        RedisJsonEntityInformation<ClusterItem, String> information = new RedisJsonEntityInformation<>(entity, "item:",
                DefaultConversionService.getSharedInstance());
        JsonMapper json = JsonMapper.builder().build();
        JsonStringScanner<ClusterItem, String> scanner = new JsonStringScanner<>(cluster.connections(), information,
                new RedisJsonCodec<>(json, information, entity));
        ClusterItemRepository redisRepository = new RedisJsonRepositoryFactory(
                new StringRedisTemplate(cluster.connections()), json, mapping)
            .getRepository(ClusterItemRepository.class);
        JdbcAggregateOperations aggregates = context.getBean(JdbcAggregateOperations.class);
        TransactionTemplate transactions = new TransactionTemplate(
                new DataSourceTransactionManager(schema.dataSource()));
        PostgresSide<PartitionedItem, String> postgres = new PostgresSide<>(REPOSITORY, PartitionedItem.class,
                aggregates, context.getBean(RelationalMappingContext.class), jdbc, transactions);
        DualRepository<ClusterItem, PartitionedItem, String> pair = new DualRepository<>(REPOSITORY,
                new RedisSide<>(redisRepository, information), postgres, aggregates, JdbcAggregateOperations.class,
                EntityMapping.of((item) -> new PartitionedItem(item.id(), item.name()),
                        (row) -> new ClusterItem(row.id(), row.name())));
        return new BackfillSource<>(pair, scanner, new PostgresBatchWriter<>(postgres,
                context.getBean(JdbcConverter.class), jdbc, transactions, null));
    }

    interface ClusterItemRepository extends CrudRepository<ClusterItem, String> {

    }

    @Table("partitioned_items")
    record PartitionedItem(@Id String id, String name) {
    }

    @Configuration(proxyBeanMethods = false)
    static class JdbcSetUp extends AbstractJdbcConfiguration {

        @Bean
        NamedParameterJdbcOperations namedParameterJdbcOperations(TestSchema schema) {
            return new NamedParameterJdbcTemplate(schema.dataSource());
        }

    }

}
