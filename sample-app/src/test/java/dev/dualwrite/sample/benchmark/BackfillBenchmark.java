package dev.dualwrite.sample.benchmark;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.backfill.BackfillJobReport;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyOptions;
import dev.dualwrite.sample.SampleApplication;
import dev.dualwrite.sample.token.Token;
import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The backfill benchmark of issues 3 and 10, on demand only (its name matches none of the
 * patterns the build runs): loads N tokens into Redis and copies them into the indexed
 * {@code tokens} table several ways, reporting rows/s and heap of each side by side. Run it with:
 * <pre>
 * ./mvnw -q -pl sample-app -am test -Dtest=BackfillBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dbenchmark.tokens=100000
 * </pre>
 * The approaches:
 * <ul>
 * <li>(a) the library's backfill, which streams each batch's absent rows by COPY into the table;</li>
 * <li>(v) the verifier comparing both stores in full, right after (a), on the table (a) filled;</li>
 * <li>(a') the same backfill with multi-row INSERTs instead of COPY (the comparison issue 3
 * asks for; {@code -Dbenchmark.compare-copy=false} leaves it out);</li>
 * <li>(b) the naive loop of the migration plan: SCAN, GET one key, one autocommit upsert per
 * row, on the first {@code -Dbenchmark.naive-rows} keys only (50,000: its rate does not depend
 * on N, and on all of 1M rows it alone takes about 10 minutes), its rows/s measured on those;</li>
 * <li>(c) the limit: two parallel binary COPY streams of rows encoded beforehand (no Redis, no
 * JSON), each stream's rows in ascending id, which the primary key's index takes at its right
 * edge;</li>
 * <li>(c') the same, with the rows in the order a SCAN of their keys returns them, the order
 * every approach that reads Redis gets them in;</li>
 * <li>(d) a hand-written pipeline of the same data, as a team would write it without the
 * library: SCAN, pipelined MGETs of each page (Lettuce async), Jackson decoding, binary COPY on
 * two connections, into a fresh copy of the indexed table ({@code CREATE TABLE ... (LIKE tokens
 * INCLUDING ALL)}); it is unsafe: no idempotence (a key SCAN returns twice fails the run), no
 * protection against a concurrent write, one transaction per stream.</li>
 * </ul>
 * The tokens follow {@code -Dbenchmark.profile}: {@code realistic} (the default: about 60,000
 * holders per 1,000,000 tokens, 20% of them without a Farcaster profile, about 60% of display
 * names non-ASCII, 8 trait types of 4 to 7 values each, about 12% of nullable fields null, about
 * 930 bytes of JSON per token) or {@code high-cardinality} (the shape before issue 10: a holder
 * and random attribute values per token, about a million distinct keys in the GIN index at
 * N = 1M, about 1,060 bytes of JSON per token); see
 * {@link TokenProfile}. The same {@code -Dbenchmark.seed} (0) gives the same tokens, so every
 * approach, in every round, copies the same data; the load prints what the data looks like.
 * <p>
 * Every approach first runs once on 100,000 rows (all of them if N is smaller), unmeasured, so
 * that none pays for the JIT; then (a), (v), (a'), (c), (c') and (d) run in {@code -Dbenchmark.rounds}
 * interleaved rounds (2 by default) and each reports its median, and (b) runs once. Each
 * measured approach starts from an empty table and a fresh checkpoint. Each also reports its
 * peak heap and the largest heap left after a garbage collection, which is what would grow
 * with N if anything kept keys or rows, and the JVM's CPU time per row (every thread of the
 * process: writers, Lettuce, garbage collector, compiler), which other work on the machine
 * hardly moves, unlike rows/s. The last line carries the ratios of rows/s issue 10
 * sets goals for, the rows/s behind them on the line above:
 * {@code backfill/copy=<r> backfill/pipeline=<r> backfill/naive=<r> verify/backfill=<r>}.
 * <p>
 * Knobs for investigation: {@code -Dbenchmark.batch-size}, {@code -Dbenchmark.parallelism} and
 * {@code -Dbenchmark.dry-run=true} (approach (a) reads, decodes and converts but writes nothing,
 * which shows the read side's own limit).
 * <p>
 * The run ends cleanly: it closes what it started in turn, each step whatever the previous one
 * did (Lettuce client, application context, its Redis keys, its schema, each timed), its own
 * threads are daemon threads that it awaits, and it prints the non-daemon threads still alive
 * before the results. Surefire starts the test JVM through {@code /bin/sh -c}: to see the
 * threads of a run that seems stuck, use {@code jcmd <pid> Thread.print} on the {@code java}
 * process; a {@code kill -3} that reaches the shell instead (its command line names the
 * surefire booter too) ends the shell with exit code 131 while the JVM runs on, and Maven
 * reports "The forked VM terminated without properly saying goodbye".
 */
class BackfillBenchmark {

    private static final String COLUMNS = "id, image_hash, metadata_hash, token_uri, holder_address, holder_username, "
            + "holder_fid, holder_display_name, holder_pfp_url, transaction_hash, timestamp, attributes, source_type, "
            + "source_cast_hash, total_eligible_reactors";

    private static final String TABLE = "tokens";

    // (d)'s table: a copy of the sample's, with its indexes, made afresh for each run of (d).
    private static final String PIPELINE_TABLE = "tokens_pipeline";

    private static final long POSTGRES_EPOCH_MICROS = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli() * 1000;

    // PostgresBatchWriter's switch from COPY to multi-row INSERTs, for measuring (read per batch).
    private static final String MULTI_ROW_INSERT = "dualwrite.backfill.multi-row-insert";

    private static final int WARM_UP_ROWS = 100_000;

    private static final int WARM_UP_PASSES = 3;

    private static final int NAIVE_ROWS = 50_000;

    // Peaks come from the heap before each collection (see HeapWatch); the sampler only covers
    // an approach that collects nothing. At 50 ms it cost about 0.7 CPU-s per run.
    private static final long HEAP_SAMPLE_MILLIS = 500;

    private static final String BACKFILL = "a: dual-write backfill";

    private static final String VERIFY = "v: verifier, full comparison of both stores";

    private static final String MULTI_ROW = "a': backfill, multi-row INSERTs";

    private static final String NAIVE = "b: naive loop (SCAN, GET, upsert per row)";

    private static final String COPY = "c: 2 parallel binary COPY streams";

    private static final String COPY_IN_SCAN_ORDER = "c': (c), rows in SCAN order";

    private static final String PIPELINE = "d: hand-written pipeline (unsafe)";

    // (d): keys per SCAN page, and pages whose MGET may be in flight at once.
    private static final int PIPELINE_PAGE = 1_000;

    private static final int PIPELINE_PAGES_IN_FLIGHT = 8;

    private static final int PIPELINE_STREAMS = 2;

    // WritePathBenchmark's tokens: its figures were measured on this shape.
    private static final TokenProfile HIGH_CARDINALITY_TOKENS = TokenProfile.of(TokenProfile.HIGH_CARDINALITY, 0, 0);

    private static final ServerCpu POSTGRES_CPU = ServerCpu.postgres();

    private static final ServerCpu REDIS_CPU = ServerCpu.redis();

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void backfillAgainstNaiveLoopCopyAndPipeline() throws Exception {
        int n = Integer.getInteger("benchmark.tokens", 1_000_000);
        TokenProfile profile = TokenProfile.of(System.getProperty("benchmark.profile", TokenProfile.REALISTIC), n,
                Long.getLong("benchmark.seed", 0));
        TestSchema schema = TestSchema.create(BackfillBenchmark.class);
        TestKeyPrefix keys = TestKeyPrefix.create(BackfillBenchmark.class);
        // A benchmark stopped with Ctrl-C or kill would leave up to N keys behind, which slow
        // every later scan of the server: delete them on the way out too.
        Thread cleanUp = new Thread(keys::close, "benchmark-clean-up");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        RedisServer redisServer = keys.server();
        ConfigurableApplicationContext app = null;
        RedisClient client = null;
        Results results;
        Exception failed = null;
        try {
            app = start(schema, keys);
            client = RedisClient.create(RedisURI.create(redisServer.host(), redisServer.port()));
            results = run(app, client, schema, keys, profile, n);
        }
        catch (Exception ex) {
            failed = ex;
            throw ex;
        }
        finally {
            // Everything the run started ends here, each step whatever the previous one did:
            // Lettuce's and Spring's threads, the Redis keys, the schema. A step that throws
            // does not skip the others (its exception is kept for the end).
            List<Exception> failures = new ArrayList<>();
            RedisClient redis = client;
            ConfigurableApplicationContext context = app;
            step(failures, () -> {
                if (redis != null) {
                    redis.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                }
            });
            step(failures, () -> {
                if (context != null) {
                    context.close();
                }
            });
            // Deleting N keys and dropping the schema take a while at 1M, after the results:
            // say so, so that the pause is not taken for a hung fork (see the class Javadoc).
            step(failures, () -> {
                long start = System.nanoTime();
                long deleted = keys.deleteKeys();
                System.out.printf(Locale.ROOT, "clean-up: deleted %,d Redis keys in %.1fs%n", deleted,
                        (System.nanoTime() - start) / 1e9);
            });
            // Only now: a run stopped while its keys are being deleted still deletes them.
            step(failures, () -> Runtime.getRuntime().removeShutdownHook(cleanUp));
            step(failures, () -> {
                long start = System.nanoTime();
                schema.close();
                System.out.printf(Locale.ROOT, "clean-up: dropped schema %s in %.1fs%n", schema.name(),
                        (System.nanoTime() - start) / 1e9);
            });
            LingeringThreads.report();
            if (failed != null) {
                failures.forEach(failed::addSuppressed);
            }
            else if (!failures.isEmpty()) {
                IllegalStateException failure = new IllegalStateException("clean-up after the benchmark failed");
                failures.forEach(failure::addSuppressed);
                throw failure;
            }
        }
        // Printed last, after the clean-up and the thread report, so that the ratios are the
        // last line of the run.
        results.print(n, profile);
    }

    private static ConfigurableApplicationContext start(TestSchema schema, TestKeyPrefix keys) {
        PostgresServer postgres = schema.server();
        RedisServer redis = keys.server();
        return new SpringApplicationBuilder(SampleApplication.class)
            .run(Arrays.stream(new String[] {"server.port=0", "spring.datasource.url=" + schema.jdbcUrl(),
                    "spring.datasource.username=" + postgres.username(),
                    "spring.datasource.password=" + postgres.password(), "spring.datasource.hikari.maximum-pool-size=6",
                    "spring.flyway.schemas=" + schema.name(), "spring.flyway.default-schema=" + schema.name(),
                    "spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
                    "sample.tokens.key-prefix=" + keys.key("token:"), "sample.operator.password=benchmark",
                    "dual-write.backfill.progress-interval=5s", "logging.level.dev.dualwrite=WARN" })
                // Arguments, not default properties: they must win over application.yml.
                .map((property) -> "--" + property)
                .toArray(String[]::new));
    }

    private Results run(ConfigurableApplicationContext app, RedisClient client, TestSchema schema,
            TestKeyPrefix keys, TokenProfile profile, int n) throws Exception {
        try (StatefulRedisConnection<String, String> connection = client.connect();
                StatefulRedisConnection<byte[], byte[]> scanning = client.connect(ByteArrayCodec.INSTANCE);
                StatefulRedisConnection<byte[], byte[]> reading = client.connect(ByteArrayCodec.INSTANCE)) {
            JdbcTemplate jdbc = new JdbcTemplate(schema.dataSource());
            String prefix = keys.key("token:");
            long loadStart = System.nanoTime();
            // Only the summary is kept: the statistics hold every distinct holder and value
            // (about 5 million strings, 500 MB, in the high-cardinality profile), which would
            // otherwise count in every approach's heap.
            String shape = load(connection.async(), prefix, profile, n).summary();
            System.out.printf(Locale.ROOT, "loaded %,d tokens of the %s profile into Redis in %.1fs: %s%n", n, profile,
                    (System.nanoTime() - loadStart) / 1e9, shape);
            Backfill backfill = app.getBean(Backfill.class);
            app.getBean(StrategySource.class).change("tokens", WriteStrategy.DUAL, true);
            Pipeline pipeline = new Pipeline(scanning.sync(), reading.async(), schema);

            boolean compare = Boolean.parseBoolean(System.getProperty("benchmark.compare-copy", "true"));
            warmUp(backfill, pipeline, schema, jdbc, prefix, profile, n, compare);
            Results results = new Results();
            int rounds = Integer.getInteger("benchmark.rounds", 2);
            // (c')'s order, once: the keys do not change between rounds.
            int[] scanOrder = scanOrder(scanning.sync(), prefix, n);
            // Rounds interleave the fast approaches, so that a slow moment of the machine (a
            // checkpoint, the disk) does not fall on one approach only; each figure is the median.
            for (int round = 1; round <= rounds; round++) {
                results.add(measure(BACKFILL, n, TABLE, jdbc, () -> backfill(backfill, n)));
                // The verifier right after (a), on the tables (a) filled: issue 4 asks for its
                // rows/s beside the backfill's, from one run. It warms up on a 10% sample of the
                // keys (not on the warm-up's tables: there, every key but 100,000 would differ).
                if (round == 1) {
                    verify(app, VerifyOptions.samplePercent(10));
                }
                results.add(measure(VERIFY, n, TABLE, jdbc, () -> verify(app, VerifyOptions.full()), false));
                // (a') is the same backfill with multi-row INSERTs instead of COPY: the comparison
                // issue 3 asks for.
                if (compare) {
                    results.add(measureMultiRowInsert(backfill, n, jdbc));
                }
                // "Pre-built rows": encoding them is not part of the limit being measured.
                List<List<byte[]>> streams = copyStreams(profile, IntStream.range(0, n).toArray());
                results.add(measure(COPY, n, TABLE, jdbc, () -> copy(schema, TABLE, streams)));
                streams.clear();
                // (c) in the order every approach that reads Redis gets its rows: the ids come
                // in hash order, not in the primary key's.
                List<List<byte[]>> inScanOrder = copyStreams(profile, scanOrder);
                results.add(measure(COPY_IN_SCAN_ORDER, n, TABLE, jdbc, () -> copy(schema, TABLE, inScanOrder)));
                inScanOrder.clear();
                freshPipelineTable(jdbc);
                results.add(measure(PIPELINE, n, PIPELINE_TABLE, jdbc, () -> pipeline.run(prefix + "*", n)));
                // Its rows are not needed any more: give the disk back before the next round.
                jdbc.execute("drop table " + PIPELINE_TABLE);
            }
            // Once, and on the first keys only (-Dbenchmark.naive-rows): it is slow, far from the
            // others, and its rate does not depend on N.
            int naiveRows = Math.min(n, Integer.getInteger("benchmark.naive-rows", NAIVE_ROWS));
            results.add(measure(NAIVE, naiveRows, TABLE, jdbc,
                    () -> naive(connection.sync(), prefix, jdbc, naiveRows)));
            return results;
        }
    }

    private Result measureMultiRowInsert(Backfill backfill, int n, JdbcTemplate jdbc) throws Exception {
        System.setProperty(MULTI_ROW_INSERT, "true");
        try {
            return measure(MULTI_ROW, n, TABLE, jdbc, () -> backfill(backfill, n));
        }
        finally {
            System.clearProperty(MULTI_ROW_INSERT);
        }
    }

    // Each approach WARM_UP_PASSES times on the first 100,000 ids (-Dbenchmark.warm-up) before
    // anything is measured, so that no measurement pays for the JIT compiling its code paths (a
    // fixed cost of a few seconds that a real backfill of millions of rows does not notice),
    // whichever order they run in. One pass was not enough for the backfill: much of its code
    // runs once per batch (200 times in a pass), and the compiler's threads still took 9 us/row
    // of the measured 300,000-row run, against 1 us/row in the pipeline's (see the per-thread
    // line each approach prints).
    private void warmUp(Backfill backfill, Pipeline pipeline, TestSchema schema, JdbcTemplate jdbc, String prefix,
            TokenProfile profile, int n, boolean compare) throws Exception {
        int rows = Math.min(n, Integer.getInteger("benchmark.warm-up", WARM_UP_ROWS));
        long start = System.nanoTime();
        // Ids are 8 digits: "0000*" matches the first 10,000, "000*" the first 100,000.
        int digits = (int) Math.round(Math.log10(rows));
        String pattern = (rows < n) ? "0".repeat(8 - digits) + "*" : "*";
        rows = (rows < n) ? (int) Math.pow(10, digits) : n;
        List<List<byte[]>> streams = copyStreams(profile, IntStream.range(0, rows).toArray());
        for (int pass = 0; pass < WARM_UP_PASSES; pass++) {
            jdbc.execute("truncate " + TABLE);
            runBackfill(backfill, pattern);
            if (compare) {
                jdbc.execute("truncate " + TABLE);
                System.setProperty(MULTI_ROW_INSERT, "true");
                try {
                    runBackfill(backfill, pattern);
                }
                finally {
                    System.clearProperty(MULTI_ROW_INSERT);
                }
            }
            jdbc.execute("truncate " + TABLE);
            copy(schema, TABLE, streams);
            freshPipelineTable(jdbc);
            pipeline.run(prefix + pattern, rows);
            jdbc.execute("drop table " + PIPELINE_TABLE);
        }
        System.out.printf(Locale.ROOT, "warm-up: every approach %d times on %,d rows in %.1fs%n", WARM_UP_PASSES, rows,
                (System.nanoTime() - start) / 1e9);
    }

    private static BackfillJobReport runBackfill(Backfill backfill, String keyPattern) {
        return backfill.run(List.of("tokens"), backfill.defaults()
            .withRestart(true)
            .withKeyPattern(keyPattern)
            .withBatchSize(Integer.getInteger("benchmark.batch-size", backfill.defaults().batchSize()))
            .withParallelism(Integer.getInteger("benchmark.parallelism", backfill.defaults().parallelism()))
            .withDryRun(Boolean.getBoolean("benchmark.dry-run")));
    }

    private static void backfill(Backfill backfill, int n) {
        BackfillJobReport report = runBackfill(backfill, "*");
        System.out.println(report.reports().get(0).summary());
        if (Boolean.getBoolean("benchmark.dry-run")) {
            return;
        }
        if (!report.completed() || report.reports().get(0).rowsWritten() != n) {
            throw new IllegalStateException("backfill did not copy everything: " + report);
        }
    }

    private static void verify(ConfigurableApplicationContext app, VerifyOptions options) {
        DualRepository<?, ?, ?> tokens = app.getBean(DualRepositoryRegistry.class)
            .all()
            .stream()
            .filter((repository) -> repository.name().equals("tokens"))
            .findFirst()
            .orElseThrow();
        VerificationReport report = app.getBean(Verifier.class).verify(tokens, options);
        System.out.println(report.summary());
        if (!report.agree()) {
            throw new IllegalStateException("the verifier found differences after the backfill: " + report.summary());
        }
    }

    private static void freshPipelineTable(JdbcTemplate jdbc) {
        jdbc.execute("drop table if exists " + PIPELINE_TABLE);
        jdbc.execute("create table " + PIPELINE_TABLE + " (like " + TABLE + " including all)");
    }

    private Result measure(String name, int n, String table, JdbcTemplate jdbc, Work work) throws Exception {
        return measure(name, n, table, jdbc, work, true);
    }

    private Result measure(String name, int n, String table, JdbcTemplate jdbc, Work work, boolean emptyTableFirst)
            throws Exception {
        if (emptyTableFirst) {
            jdbc.execute("truncate " + table);
            jdbc.execute("vacuum analyze " + table);
        }
        // Start each approach with a fresh checkpoint, so none pays for another's dirty pages,
        // and all pay the same full-page writes that follow a checkpoint.
        jdbc.execute("checkpoint");
        System.gc();
        double seconds;
        try (HeapWatch heap = new HeapWatch(); ThreadCpu threads = ThreadCpu.start()) {
            OptionalLong postgresStart = POSTGRES_CPU.nanos();
            OptionalLong redisStart = REDIS_CPU.nanos();
            long cpuStart = jvmCpuNanos();
            long start = System.nanoTime();
            work.run();
            seconds = (System.nanoTime() - start) / 1e9;
            double cpuMicrosPerRow = (jvmCpuNanos() - cpuStart) / 1e3 / n;
            double postgresMicrosPerRow = microsPerRow(postgresStart, POSTGRES_CPU.nanos(), n);
            double redisMicrosPerRow = microsPerRow(redisStart, REDIS_CPU.nanos(), n);
            heap.sample();
            Long rows = jdbc.queryForObject("select count(*) from " + table, Long.class);
            boolean dryRun = name.equals(BACKFILL) && Boolean.getBoolean("benchmark.dry-run");
            if (!dryRun && (rows == null || rows != n)) {
                throw new IllegalStateException(name + " left " + rows + " rows, expected " + n);
            }
            System.out.printf(Locale.ROOT, "%s: %,d rows in %.1fs, CPU us/row: JVM %.1f, PostgreSQL %.1f, Redis %.1f%n",
                    name, n, seconds, cpuMicrosPerRow, postgresMicrosPerRow, redisMicrosPerRow);
            System.out.printf(Locale.ROOT, "%s: JVM CPU us/row by thread: %s%n", name, threads.perRow(n));
            return new Result(name, n, n / seconds, heap.peak(), heap.afterGc(), cpuMicrosPerRow, postgresMicrosPerRow,
                    redisMicrosPerRow);
        }
    }

    // NaN when the server is not a local process (ServerCpu).
    private static double microsPerRow(OptionalLong before, OptionalLong after, int n) {
        return (before.isPresent() && after.isPresent()) ? (after.getAsLong() - before.getAsLong()) / 1e3 / n
                : Double.NaN;
    }

    // CPU time of the whole JVM (every thread: writers, Lettuce, garbage collector, compiler):
    // unlike rows/s, hardly moved by other work on the machine.
    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    private TokenProfile.Stats load(RedisAsyncCommands<String, String> redis, String prefix, TokenProfile profile,
            int n) throws Exception {
        TokenProfile.Stats stats = new TokenProfile.Stats();
        List<RedisFuture<String>> pending = new ArrayList<>();
        Map<String, String> batch = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            Token token = profile.token(i);
            String value = this.json.writeValueAsString(token);
            stats.add(token, value);
            batch.put(prefix + TokenProfile.id(i), value);
            if (batch.size() == 500) {
                pending.add(redis.mset(batch));
                batch = new LinkedHashMap<>();
                if (pending.size() == 32) {
                    for (RedisFuture<String> future : pending) {
                        future.get();
                    }
                    pending.clear();
                }
            }
        }
        if (!batch.isEmpty()) {
            pending.add(redis.mset(batch));
        }
        for (RedisFuture<String> future : pending) {
            future.get();
        }
        return stats;
    }

    // The naive loop of the migration plan: SCAN, GET one key, one autocommit upsert per row;
    // stops after `limit` distinct keys (SCAN may return a key twice).
    private void naive(RedisCommands<String, String> redis, String prefix, JdbcTemplate jdbc, int limit) {
        String upsert = "insert into tokens (" + COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?) "
                + "on conflict (id) do update set image_hash = excluded.image_hash, metadata_hash = excluded.metadata_hash, "
                + "token_uri = excluded.token_uri, holder_address = excluded.holder_address, "
                + "holder_username = excluded.holder_username, holder_fid = excluded.holder_fid, "
                + "holder_display_name = excluded.holder_display_name, holder_pfp_url = excluded.holder_pfp_url, "
                + "transaction_hash = excluded.transaction_hash, timestamp = excluded.timestamp, "
                + "attributes = excluded.attributes, source_type = excluded.source_type, "
                + "source_cast_hash = excluded.source_cast_hash, total_eligible_reactors = excluded.total_eligible_reactors";
        Set<String> copied = new HashSet<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
            for (String key : page.getKeys()) {
                if (copied.size() == limit) {
                    return;
                }
                if (!copied.add(key)) {
                    continue;
                }
                String value = redis.get(key);
                if (value == null) {
                    continue;
                }
                Token token = this.json.readValue(value, Token.class);
                jdbc.update(upsert, token.id(), token.imageHash(), token.metadataHash(), token.tokenUri(),
                        token.holderAddress(), token.holderUsername(), token.holderFid(), token.holderDisplayName(),
                        token.holderPfpUrl(), token.transactionHash(), Timestamp.from(token.timestamp()),
                        this.json.writeValueAsString(token.attributes()), token.sourceType(), token.sourceCastHash(),
                        token.totalEligibleReactors());
            }
            cursor = page;
        }
        while (!cursor.isFinished());
    }

    // The rows of two COPY streams, encoded beforehand in the binary COPY format, the tokens
    // in the given order, the first half in one stream: chunks of about 1 MB (the first starts
    // with the header, the last ends with the trailer).
    private List<List<byte[]>> copyStreams(TokenProfile profile, int[] tokens) throws IOException {
        List<List<byte[]>> streams = new ArrayList<>();
        int middle = tokens.length / 2;
        streams.add(encode(profile, tokens, 0, middle));
        streams.add(encode(profile, tokens, middle, tokens.length));
        return streams;
    }

    private List<byte[]> encode(TokenProfile profile, int[] tokens, int from, int to) throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        CopyBuffer buffer = new CopyBuffer();
        for (int i = from; i < to; i++) {
            writeRow(buffer.out(), profile.token(tokens[i]));
            if (buffer.full()) {
                chunks.add(buffer.take());
            }
        }
        buffer.out().writeShort(-1);
        chunks.add(buffer.take());
        return chunks;
    }

    // The tokens' numbers in the order a SCAN of their keys returns them, each once (SCAN may
    // return a key twice while Redis rehashes).
    private static int[] scanOrder(RedisCommands<byte[], byte[]> redis, String prefix, int n) {
        BitSet seen = new BitSet(n);
        int[] order = new int[n];
        int found = 0;
        ScanArgs args = ScanArgs.Builder.matches(prefix + "*").limit(PIPELINE_PAGE);
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<byte[]> page = redis.scan(cursor, args);
            for (byte[] key : page.getKeys()) {
                int token = Integer.parseInt(new String(key, StandardCharsets.UTF_8).substring(prefix.length()));
                if (!seen.get(token)) {
                    seen.set(token);
                    order[found++] = token;
                }
            }
            cursor = page;
        }
        while (!cursor.isFinished());
        if (found != n) {
            throw new IllegalStateException("SCAN returned " + found + " tokens, expected " + n);
        }
        return order;
    }

    // The limit: pre-built rows (no Redis, no JSON), streamed as binary COPY on two connections.
    private static void copy(TestSchema schema, String table, List<List<byte[]>> streams) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(streams.size(), daemonThreads("benchmark-copy-"));
        try {
            List<Future<?>> running = new ArrayList<>();
            for (List<byte[]> chunks : streams) {
                running.add(pool.submit(() -> {
                    try (Connection connection = schema.dataSource().getConnection()) {
                        CopyIn copy = copyIn(connection, table);
                        for (byte[] chunk : chunks) {
                            copy.writeToCopy(chunk, 0, chunk.length);
                        }
                        copy.endCopy();
                    }
                    return null;
                }));
            }
            for (Future<?> stream : running) {
                stream.get();
            }
        }
        finally {
            shutdown(pool);
        }
    }

    private static CopyIn copyIn(Connection connection, String table) throws SQLException {
        return connection.unwrap(PGConnection.class)
            .getCopyAPI()
            .copyIn("copy " + table + " (" + COLUMNS + ") from stdin (format binary)");
    }

    private void writeRow(DataOutputStream out, Token token) throws IOException {
        out.writeShort(15);
        text(out, token.id());
        text(out, token.imageHash());
        text(out, token.metadataHash());
        text(out, token.tokenUri());
        text(out, token.holderAddress());
        text(out, token.holderUsername());
        if (token.holderFid() == null) {
            out.writeInt(-1);
        }
        else {
            out.writeInt(8);
            out.writeLong(token.holderFid());
        }
        text(out, token.holderDisplayName());
        text(out, token.holderPfpUrl());
        text(out, token.transactionHash());
        out.writeInt(8);
        out.writeLong(token.timestamp().toEpochMilli() * 1000 - POSTGRES_EPOCH_MICROS);
        byte[] attributes = this.json.writeValueAsBytes(token.attributes());
        out.writeInt(attributes.length + 1);
        out.writeByte(1);
        out.write(attributes);
        text(out, token.sourceType());
        text(out, token.sourceCastHash());
        if (token.totalEligibleReactors() == null) {
            out.writeInt(-1);
        }
        else {
            out.writeInt(4);
            out.writeInt(token.totalEligibleReactors());
        }
    }

    private static void text(DataOutputStream out, String value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** A token of the high-cardinality profile with seed 0, as {@link WritePathBenchmark} loads them. */
    static Token token(int i) {
        return HIGH_CARDINALITY_TOKENS.token(i);
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return (task) -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            // Daemon: a thread of the benchmark left running must never keep the test JVM alive.
            thread.setDaemon(true);
            return thread;
        };
    }

    private static void shutdown(ExecutorService pool) throws InterruptedException {
        pool.shutdownNow();
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("benchmark threads did not end within 10s: " + pool);
        }
    }

    private static void step(List<Exception> failures, Work step) {
        try {
            step.run();
        }
        catch (Exception ex) {
            failures.add(ex);
        }
    }

    /**
     * (d): the pipeline a team would write by hand for a one-off copy. The calling thread scans
     * and sends one MGET per SCAN page without waiting for it (up to
     * {@value #PIPELINE_PAGES_IN_FLIGHT} pages in flight on the reading connection); each of
     * {@value #PIPELINE_STREAMS} writers takes the next page's values, decodes them with
     * Jackson and writes binary COPY rows on its own connection, one COPY (one transaction)
     * per writer. Unsafe on purpose: no lock, no check of what is already there, no retry.
     */
    private final class Pipeline {

        private final RedisCommands<byte[], byte[]> scanning;

        private final RedisAsyncCommands<byte[], byte[]> reading;

        private final TestSchema schema;

        Pipeline(RedisCommands<byte[], byte[]> scanning, RedisAsyncCommands<byte[], byte[]> reading,
                TestSchema schema) {
            this.scanning = scanning;
            this.reading = reading;
            this.schema = schema;
        }

        void run(String pattern, int expected) throws Exception {
            BlockingQueue<Page> pages = new ArrayBlockingQueue<>(PIPELINE_PAGES_IN_FLIGHT);
            AtomicLong written = new AtomicLong();
            ExecutorService writers = Executors.newFixedThreadPool(PIPELINE_STREAMS,
                    daemonThreads("benchmark-pipeline-"));
            try {
                List<Future<?>> streams = new ArrayList<>();
                for (int s = 0; s < PIPELINE_STREAMS; s++) {
                    streams.add(writers.submit(() -> {
                        write(pages, written);
                        return null;
                    }));
                }
                ScanArgs args = ScanArgs.Builder.matches(pattern).limit(PIPELINE_PAGE);
                ScanCursor cursor = ScanCursor.INITIAL;
                do {
                    KeyScanCursor<byte[]> page = this.scanning.scan(cursor, args);
                    if (!page.getKeys().isEmpty()) {
                        put(pages, new Page(this.reading.mget(page.getKeys().toArray(byte[][]::new))), streams);
                    }
                    cursor = page;
                }
                while (!cursor.isFinished());
                for (int s = 0; s < PIPELINE_STREAMS; s++) {
                    put(pages, Page.END, streams);
                }
                for (Future<?> stream : streams) {
                    stream.get();
                }
            }
            catch (java.util.concurrent.ExecutionException ex) {
                if (ex.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                    throw new IllegalStateException("(d) copied a key twice: SCAN returns a key twice while Redis "
                            + "rehashes its key space, and the hand-written pipeline has no idempotence; run the "
                            + "benchmark again", ex);
                }
                throw ex;
            }
            finally {
                shutdown(writers);
            }
            if (written.get() != expected) {
                throw new IllegalStateException("(d) wrote " + written.get() + " rows, expected " + expected);
            }
        }

        // Waits for room in the queue, but gives up as soon as a writer has failed: nobody would
        // ever take the page.
        private void put(BlockingQueue<Page> pages, Page page, List<Future<?>> streams) throws Exception {
            while (!pages.offer(page, 100, TimeUnit.MILLISECONDS)) {
                for (Future<?> stream : streams) {
                    if (stream.isDone()) {
                        stream.get();
                        throw new IllegalStateException("a writer of (d) ended before the end of the scan");
                    }
                }
            }
        }

        private void write(BlockingQueue<Page> pages, AtomicLong written) throws Exception {
            try (Connection connection = this.schema.dataSource().getConnection()) {
                CopyIn copy = copyIn(connection, PIPELINE_TABLE);
                try {
                    CopyBuffer buffer = new CopyBuffer();
                    long rows = 0;
                    for (Page page = pages.take(); page != Page.END; page = pages.take()) {
                        for (KeyValue<byte[], byte[]> value : page.values().get()) {
                            if (value.hasValue()) {
                                Token token = BackfillBenchmark.this.json.readValue(value.getValue(), Token.class);
                                writeRow(buffer.out(), token);
                                rows++;
                            }
                        }
                        if (buffer.full()) {
                            buffer.writeTo(copy);
                        }
                    }
                    buffer.out().writeShort(-1);
                    buffer.writeTo(copy);
                    copy.endCopy();
                    written.addAndGet(rows);
                }
                finally {
                    if (copy.isActive()) {
                        copy.cancelCopy();
                    }
                }
            }
        }

    }

    private record Page(RedisFuture<List<KeyValue<byte[], byte[]>>> values) {

        static final Page END = new Page(null);

    }

    // Rows in the binary COPY format, handed over in chunks of about 1 MB: the header first,
    // the caller writes the trailer.
    private static final class CopyBuffer {

        private static final int CHUNK = 1 << 20;

        private final Bytes bytes = new Bytes(CHUNK);

        private final DataOutputStream out = new DataOutputStream(this.bytes);

        CopyBuffer() throws IOException {
            this.out.writeBytes("PGCOPY\n");
            this.out.write(new byte[] { (byte) 0xFF, '\r', '\n', 0 });
            this.out.writeInt(0);
            this.out.writeInt(0);
        }

        DataOutputStream out() {
            return this.out;
        }

        boolean full() {
            return this.bytes.size() > CHUNK - 4096;
        }

        byte[] take() {
            byte[] chunk = this.bytes.toByteArray();
            this.bytes.reset();
            return chunk;
        }

        void writeTo(CopyIn copy) throws SQLException {
            this.bytes.writeTo(copy);
            this.bytes.reset();
        }

        // Hands its array to COPY as it is, without the copy toByteArray would make.
        private static final class Bytes extends ByteArrayOutputStream {

            Bytes(int size) {
                super(size);
            }

            void writeTo(CopyIn copy) throws SQLException {
                copy.writeToCopy(this.buf, 0, this.count);
            }

        }

    }

    /**
     * The heap while one approach runs. The peak is the largest heap just before a collection,
     * at a sampler's tick every {@value #HEAP_SAMPLE_MILLIS} ms or at the end (the ticks matter
     * only to an approach that collects nothing); "after GC" is the largest heap left after a
     * collection, the part that would grow with N if something kept keys or rows. Both come
     * from the collectors' own notifications, so no collection is missed however rarely the
     * sampler runs.
     */
    private static final class HeapWatch implements NotificationListener, AutoCloseable {

        private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

        private final Set<String> heapPools = new HashSet<>();

        private final long since = ManagementFactory.getRuntimeMXBean().getUptime();

        private final AtomicLong peak = new AtomicLong();

        private final AtomicLong afterGc = new AtomicLong();

        private final List<NotificationEmitter> emitters = new ArrayList<>();

        private final ScheduledExecutorService sampler;

        HeapWatch() {
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    this.heapPools.add(pool.getName());
                }
            }
            sample();
            for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (collector instanceof NotificationEmitter emitter) {
                    emitter.addNotificationListener(this, null, null);
                    this.emitters.add(emitter);
                }
            }
            this.sampler = Executors.newSingleThreadScheduledExecutor(daemonThreads("benchmark-heap-sampler-"));
            this.sampler.scheduleAtFixedRate(this::sample, HEAP_SAMPLE_MILLIS, HEAP_SAMPLE_MILLIS,
                    TimeUnit.MILLISECONDS);
        }

        void sample() {
            this.peak.accumulateAndGet(this.memory.getHeapMemoryUsage().getUsed(), Math::max);
        }

        long peak() {
            return this.peak.get();
        }

        long afterGc() {
            return this.afterGc.get();
        }

        @Override
        public void handleNotification(Notification notification, Object handback) {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                return;
            }
            GcInfo gc = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo();
            // Notifications arrive a little late: the System.gc() just before the approach may
            // be reported after the watch started, and its "before" is the previous approach's.
            if (gc.getStartTime() < this.since) {
                return;
            }
            this.peak.accumulateAndGet(heap(gc.getMemoryUsageBeforeGc()), Math::max);
            this.afterGc.accumulateAndGet(heap(gc.getMemoryUsageAfterGc()), Math::max);
        }

        private long heap(Map<String, MemoryUsage> usage) {
            long used = 0;
            for (Map.Entry<String, MemoryUsage> pool : usage.entrySet()) {
                if (this.heapPools.contains(pool.getKey())) {
                    used += pool.getValue().getUsed();
                }
            }
            return used;
        }

        @Override
        public void close() throws Exception {
            shutdown(this.sampler);
            for (NotificationEmitter emitter : this.emitters) {
                emitter.removeNotificationListener(this);
            }
        }

    }

    @FunctionalInterface
    private interface Work {

        void run() throws Exception;

    }

    private record Result(String name, int rows, double rowsPerSecond, long peakHeapBytes, long afterGcBytes,
            double jvmCpuMicrosPerRow, double postgresCpuMicrosPerRow, double redisCpuMicrosPerRow) {
    }

    // The measurements of every approach, in the order first measured.
    private static final class Results {

        private final Map<String, List<Result>> byName = new LinkedHashMap<>();

        void add(Result result) {
            this.byName.computeIfAbsent(result.name(), (name) -> new ArrayList<>()).add(result);
        }

        void print(int n, TokenProfile profile) {
            System.out.println();
            System.out.printf(Locale.ROOT, "%-45s %10s %12s %14s %16s %16s %15s %15s   %s%n",
                    "approach (N=" + n + ", " + profile.name() + ")", "rows", "rows/s", "peak heap MB",
                    "after-GC heap MB", "JVM CPU us/row", "PG CPU us/row", "Redis us/row", "rows/s of each round");
            for (Map.Entry<String, List<Result>> approach : this.byName.entrySet()) {
                List<Result> results = approach.getValue();
                // No collection during a run leaves nothing to show after one.
                long afterGc = results.stream().mapToLong(Result::afterGcBytes).max().orElse(0);
                System.out.printf(Locale.ROOT, "%-45s %,10d %,12.0f %,14.0f %16s %16.1f %15.1f %15.1f   %s%n",
                        approach.getKey(), results.get(0).rows(), median(approach.getKey()),
                        results.stream().mapToLong(Result::peakHeapBytes).max().orElse(0) / 1048576.0,
                        (afterGc > 0) ? String.format(Locale.ROOT, "%,.0f", afterGc / 1048576.0) : "no GC",
                        median(approach.getKey(), Result::jvmCpuMicrosPerRow),
                        median(approach.getKey(), Result::postgresCpuMicrosPerRow),
                        median(approach.getKey(), Result::redisCpuMicrosPerRow),
                        String.join(" / ", results.stream()
                            .map((result) -> String.format(Locale.ROOT, "%,.0f", result.rowsPerSecond()))
                            .toList()));
            }
            int naiveRows = this.byName.get(NAIVE).get(0).rows();
            System.out.println((naiveRows < n)
                    ? String.format(Locale.ROOT, "(b) is measured on its first %,d keys only (-Dbenchmark.naive-rows), "
                            + "the others on all %,d", naiveRows, n)
                    : String.format(Locale.ROOT, "(b) is measured on all %,d keys, as the others", n));
            double backfill = median(BACKFILL);
            double copy = median(COPY);
            double pipeline = median(PIPELINE);
            double copyInScanOrder = median(COPY_IN_SCAN_ORDER);
            System.out.printf(Locale.ROOT, "(c') is (c) with its rows in the order SCAN returns their keys, the order "
                    + "(a) and (d) get them in: (c')/(c)=%.2f backfill/(c')=%.2f pipeline/(c')=%.2f "
                    + "pipeline/copy=%.2f%n", copyInScanOrder / copy, backfill / copyInScanOrder,
                    pipeline / copyInScanOrder, pipeline / copy);
            double naive = median(NAIVE);
            double verify = median(VERIFY);
            System.out.printf(Locale.ROOT, "goal (issue 10): backfill/copy >= 0.75: %s; backfill/pipeline >= 0.9: %s; "
                    + "backfill/naive >= 10: %s; verify/backfill >= 1.0: %s%n", met(backfill / copy >= 0.75),
                    met(backfill / pipeline >= 0.9), met(backfill / naive >= 10), met(verify / backfill >= 1.0));
            System.out.printf(Locale.ROOT, "rows/s (medians): backfill=%.0f copy=%.0f pipeline=%.0f naive=%.0f "
                    + "verify=%.0f%n", backfill, copy, pipeline, naive, verify);
            System.out.printf(Locale.ROOT, "backfill/copy=%.2f backfill/pipeline=%.2f backfill/naive=%.2f "
                    + "verify/backfill=%.2f%n", backfill / copy, backfill / pipeline, backfill / naive,
                    verify / backfill);
        }

        private double median(String name) {
            return median(name, Result::rowsPerSecond);
        }

        private double median(String name, ToDoubleFunction<Result> figure) {
            double[] values = this.byName.get(name).stream().mapToDouble(figure).sorted().toArray();
            int middle = values.length / 2;
            return (values.length % 2 == 1) ? values[middle] : (values[middle - 1] + values[middle]) / 2;
        }

        private static String met(boolean met) {
            return met ? "met" : "missed";
        }

    }

}
