package dev.dualwrite.sample.benchmark;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.backfill.BackfillJobReport;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyOptions;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.sample.SampleApplication;
import dev.dualwrite.sample.token.Token;
import dev.dualwrite.sample.token.TokenAttribute;
import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The backfill benchmark of issue 3, on demand only (its name matches none of the patterns
 * the build runs): loads N tokens of the sample's shape into Redis and copies them into the
 * indexed {@code tokens} table three ways, reporting rows/s and peak heap of each side by side:
 * (a) the library's backfill, (b) the naive loop of the migration plan (SCAN, GET one key, one
 * autocommit upsert per row), (c) the limit: two parallel binary COPY streams of pre-built
 * rows; and (v) the verifier comparing both stores right after (a). Run it with:
 * <pre>
 * ./mvnw -q -pl sample-app -am test -Dtest=BackfillBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dbenchmark.tokens=100000
 * </pre>
 * Besides (a), which streams each batch's absent rows by COPY straight into the table, (a') runs
 * the same backfill with multi-row INSERTs instead (the alternative issue 3 asks to measure;
 * {@code -Dbenchmark.compare-copy=false} leaves it out). Every approach first runs once on 100,000 rows (all of them if N is
 * smaller), unmeasured, so that none pays for the JIT; then (a), (v), (a') and (c) run in
 * {@code -Dbenchmark.rounds} interleaved rounds (2 by default) and each reports its median, and
 * (b) runs once, on the first {@code -Dbenchmark.naive-rows} keys (50,000; its rate does not
 * depend on N); each measured approach starts from an empty table and a fresh checkpoint.
 * Each also reports the heap left after garbage collections, which is what would grow with N
 * if anything kept keys or rows.
 * Knobs for investigation: {@code -Dbenchmark.batch-size}, {@code -Dbenchmark.parallelism} and
 * {@code -Dbenchmark.dry-run=true} (approach (a) reads, decodes and converts but writes nothing,
 * which shows the read side's own limit).
 */
class BackfillBenchmark {

    private static final String COLUMNS = "id, image_hash, metadata_hash, token_uri, holder_address, holder_username, "
            + "holder_fid, holder_display_name, holder_pfp_url, transaction_hash, timestamp, attributes, source_type, "
            + "source_cast_hash, total_eligible_reactors";

    private static final long POSTGRES_EPOCH_MICROS = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli() * 1000;

    // PostgresBatchWriter's switch from COPY to multi-row INSERTs, for measuring (read per batch).
    private static final String MULTI_ROW_INSERT = "dualwrite.backfill.multi-row-insert";

    private static final int WARM_UP_ROWS = 100_000;

    private static final int NAIVE_ROWS = 50_000;

    // How often the heap is sampled while an approach runs: often enough for its peak, rarely
    // enough that the sampler costs the approach nothing measurable.
    private static final long HEAP_SAMPLE_MILLIS = 50;

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void backfillAgainstNaiveLoopAndCopy() throws Exception {
        int n = Integer.getInteger("benchmark.tokens", 1_000_000);
        TestSchema schema = TestSchema.create(BackfillBenchmark.class);
        TestKeyPrefix keys = TestKeyPrefix.create(BackfillBenchmark.class);
        // A benchmark stopped with Ctrl-C or kill would leave up to N keys behind, which slow
        // every later scan of the server: delete them on the way out too.
        Thread cleanUp = new Thread(keys::close, "benchmark-clean-up");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        RedisServer redisServer = keys.server();
        PostgresServer postgres = schema.server();
        ConfigurableApplicationContext app = new SpringApplicationBuilder(SampleApplication.class)
            .run(Arrays.stream(new String[] {"server.port=0", "spring.datasource.url=" + schema.jdbcUrl(),
                    "spring.datasource.username=" + postgres.username(),
                    "spring.datasource.password=" + postgres.password(), "spring.datasource.hikari.maximum-pool-size=6",
                    "spring.flyway.schemas=" + schema.name(), "spring.flyway.default-schema=" + schema.name(),
                    "spring.data.redis.host=" + redisServer.host(), "spring.data.redis.port=" + redisServer.port(),
                    "sample.tokens.key-prefix=" + keys.key("token:"), "sample.operator.password=benchmark",
                    "dual-write.backfill.progress-interval=5s", "logging.level.dev.dualwrite=WARN" })
                // Arguments, not default properties: they must win over application.yml.
                .map((property) -> "--" + property)
                .toArray(String[]::new));
        RedisClient client = RedisClient.create(RedisURI.create(redisServer.host(), redisServer.port()));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            JdbcTemplate jdbc = new JdbcTemplate(schema.dataSource());
            String prefix = keys.key("token:");
            long loadStart = System.nanoTime();
            load(connection.async(), prefix, n);
            System.out.printf(Locale.ROOT, "loaded %,d tokens (~%d bytes each) into Redis in %.1fs%n", n,
                    json(token(0)).length(), (System.nanoTime() - loadStart) / 1e9);
            Backfill backfill = app.getBean(Backfill.class);
            app.getBean(StrategySource.class).change("tokens", WriteStrategy.DUAL, true);

            boolean compare = Boolean.parseBoolean(System.getProperty("benchmark.compare-copy", "true"));
            warmUp(backfill, schema, jdbc, n, compare);
            // The verifier warms up on a 10% sample of the keys (not on the warm-up's tables:
            // there, every key but 100,000 would differ).
            Results results = new Results();
            int rounds = Integer.getInteger("benchmark.rounds", 2);
            // Rounds interleave the fast approaches, so that a slow moment of the machine (a
            // checkpoint, the disk) does not fall on one approach only; each figure is the median.
            for (int round = 1; round <= rounds; round++) {
                results.add(measure("a: dual-write backfill", n, jdbc, () -> backfill(backfill, n)));
                // The verifier right after (a), on the tables (a) filled: issue 4 asks for its
                // rows/s beside the backfill's, from one run.
                if (round == 1) {
                    verify(app, VerifyOptions.samplePercent(10));
                }
                results.add(measure("v: verifier, full comparison of both stores", n, jdbc,
                        () -> verify(app, VerifyOptions.full()), false));
                // (a') is the same backfill with multi-row INSERTs instead of COPY: the comparison
                // issue 3 asks for.
                if (compare) {
                    results.add(measureMultiRowInsert(backfill, n, jdbc));
                }
                // "Pre-built rows": encoding them is not part of the limit being measured.
                List<List<byte[]>> streams = copyStreams(0, n);
                results.add(measure("c: 2 parallel binary COPY streams", n, jdbc, () -> copy(schema, streams)));
                streams.clear();
            }
            // Once, and on the first keys only (-Dbenchmark.naive-rows): it is slow, far from the
            // others, and its rate does not depend on N (at 1M rows it alone took 7 minutes).
            int naiveRows = Math.min(n, Integer.getInteger("benchmark.naive-rows", NAIVE_ROWS));
            results.add(measure("b: naive loop (SCAN, GET, upsert per row)", naiveRows, jdbc,
                    () -> naive(connection.sync(), prefix, jdbc, naiveRows)));
            System.out.println();
            System.out.printf(Locale.ROOT, "%-45s %12s %14s %16s   %s%n", "approach (N=" + n + ")", "rows/s",
                    "peak heap MB", "after-GC heap MB", "rows/s of each round");
            for (String name : results.names()) {
                // No collection during a run leaves nothing to show after one.
                long afterGc = results.maxAfterGc(name);
                System.out.printf(Locale.ROOT, "%-45s %,12.0f %,14.0f %16s   %s%n", name, results.median(name),
                        results.maxPeakHeap(name) / 1048576.0,
                        (afterGc > 0) ? String.format(Locale.ROOT, "%,.0f", afterGc / 1048576.0) : "no GC",
                        results.rounds(name));
            }
            double library = results.median("a: dual-write backfill");
            System.out.printf(Locale.ROOT, "backfill/copy=%.2f backfill/naive=%.2f%n",
                    library / results.median("c: 2 parallel binary COPY streams"),
                    library / results.median("b: naive loop (SCAN, GET, upsert per row)"));
        }
        finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            app.close();
            Runtime.getRuntime().removeShutdownHook(cleanUp);
            keys.close();
            schema.close();
        }
    }

    private Result measureMultiRowInsert(Backfill backfill, int n, JdbcTemplate jdbc) throws Exception {
        System.setProperty(MULTI_ROW_INSERT, "true");
        try {
            return measure("a': backfill, multi-row INSERTs", n, jdbc, () -> backfill(backfill, n));
        }
        finally {
            System.clearProperty(MULTI_ROW_INSERT);
        }
    }

    // Each approach once on the first 100,000 ids (-Dbenchmark.warm-up) before anything is measured, so that no
    // measurement pays for the JIT compiling its code paths (a fixed cost of a few seconds that
    // a real backfill of millions of rows does not notice), whichever order they run in.
    private void warmUp(Backfill backfill, TestSchema schema, JdbcTemplate jdbc, int n, boolean compare)
            throws Exception {
        int rows = Math.min(n, Integer.getInteger("benchmark.warm-up", WARM_UP_ROWS));
        long start = System.nanoTime();
        // Ids are 8 digits: "0000*" matches the first 10,000, "000*" the first 100,000.
        int digits = (int) Math.round(Math.log10(rows));
        String pattern = (rows < n) ? "0".repeat(8 - digits) + "*" : "*";
        rows = (rows < n) ? (int) Math.pow(10, digits) : n;
        runBackfill(backfill, pattern);
        if (compare) {
            jdbc.execute("truncate tokens");
            System.setProperty(MULTI_ROW_INSERT, "true");
            try {
                runBackfill(backfill, pattern);
            }
            finally {
                System.clearProperty(MULTI_ROW_INSERT);
            }
        }
        jdbc.execute("truncate tokens");
        copy(schema, copyStreams(0, rows));
        System.out.printf(Locale.ROOT, "warm-up: every approach on %,d rows in %.1fs%n", rows,
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

    private Result measure(String name, int n, JdbcTemplate jdbc, Work work) throws Exception {
        return measure(name, n, jdbc, work, true);
    }

    private Result measure(String name, int n, JdbcTemplate jdbc, Work work, boolean emptyTableFirst)
            throws Exception {
        if (emptyTableFirst) {
            jdbc.execute("truncate tokens");
            jdbc.execute("vacuum analyze tokens");
        }
        // Start each approach with a fresh checkpoint, so none pays for another's dirty pages,
        // and all pay the same full-page writes that follow a checkpoint.
        jdbc.execute("checkpoint");
        System.gc();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        AtomicLong peak = new AtomicLong(memory.getHeapMemoryUsage().getUsed());
        // What survives collections (the heap after the last GC, all pools): the part that would
        // grow with N if something kept keys or rows; "peak heap" also counts garbage not collected yet.
        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter((pool) -> pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null)
            .toList();
        long liveBefore = afterGc(pools);
        AtomicLong live = new AtomicLong(0);
        // The heap every HEAP_SAMPLE_MILLIS while the approach runs, on a daemon thread that is
        // stopped whatever the approach does: no thread of the benchmark outlives it.
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor((task) -> {
            Thread thread = new Thread(task, "benchmark-heap-sampler");
            thread.setDaemon(true);
            return thread;
        });
        double seconds;
        try {
            sampler.scheduleAtFixedRate(() -> {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                long after = afterGc(pools);
                if (after != liveBefore) {
                    live.accumulateAndGet(after, Math::max);
                }
            }, 0, HEAP_SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
            long start = System.nanoTime();
            work.run();
            seconds = (System.nanoTime() - start) / 1e9;
        }
        finally {
            sampler.shutdown();
            sampler.awaitTermination(5, TimeUnit.SECONDS);
        }
        Long rows = jdbc.queryForObject("select count(*) from tokens", Long.class);
        boolean dryRun = name.startsWith("a") && Boolean.getBoolean("benchmark.dry-run");
        if (!dryRun && (rows == null || rows != n)) {
            throw new IllegalStateException(name + " left " + rows + " rows, expected " + n);
        }
        System.out.printf(Locale.ROOT, "%s: %,d rows in %.1fs%n", name, n, seconds);
        return new Result(name, n / seconds, peak.get(), live.get());
    }

    private static long afterGc(List<MemoryPoolMXBean> pools) {
        long used = 0;
        for (MemoryPoolMXBean pool : pools) {
            used += pool.getCollectionUsage().getUsed();
        }
        return used;
    }

    private void load(RedisAsyncCommands<String, String> redis, String prefix, int n) throws Exception {
        List<io.lettuce.core.RedisFuture<String>> pending = new ArrayList<>();
        Map<String, String> batch = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            batch.put(prefix + id(i), json(token(i)));
            if (batch.size() == 500) {
                pending.add(redis.mset(batch));
                batch = new LinkedHashMap<>();
                if (pending.size() == 32) {
                    for (io.lettuce.core.RedisFuture<String> future : pending) {
                        future.get();
                    }
                    pending.clear();
                }
            }
        }
        if (!batch.isEmpty()) {
            pending.add(redis.mset(batch));
        }
        for (io.lettuce.core.RedisFuture<String> future : pending) {
            future.get();
        }
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

    // The rows of two COPY streams, encoded beforehand in the binary COPY format: chunks of
    // about 1 MB (the first starts with the header, the last ends with the trailer).
    private List<List<byte[]>> copyStreams(int from, int to) throws IOException {
        List<List<byte[]>> streams = new ArrayList<>();
        int middle = from + (to - from) / 2;
        streams.add(encode(from, middle));
        streams.add(encode(middle, to));
        return streams;
    }

    private List<byte[]> encode(int from, int to) throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 20);
        DataOutputStream out = new DataOutputStream(buffer);
        out.writeBytes("PGCOPY\n");
        out.write(new byte[] { (byte) 0xFF, '\r', '\n', 0 });
        out.writeInt(0);
        out.writeInt(0);
        for (int i = from; i < to; i++) {
            writeRow(out, token(i));
            if (buffer.size() > (1 << 20) - 4096) {
                chunks.add(buffer.toByteArray());
                buffer.reset();
            }
        }
        out.writeShort(-1);
        chunks.add(buffer.toByteArray());
        return chunks;
    }

    // The limit: pre-built rows (no Redis, no JSON), streamed as binary COPY on two connections.
    private static void copy(TestSchema schema, List<List<byte[]>> streams) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(streams.size());
        try {
            List<Future<?>> running = new ArrayList<>();
            for (List<byte[]> chunks : streams) {
                running.add(pool.submit(() -> {
                    try (Connection connection = schema.dataSource().getConnection()) {
                        CopyIn copy = connection.unwrap(PGConnection.class)
                            .getCopyAPI()
                            .copyIn("copy tokens (" + COLUMNS + ") from stdin (format binary)");
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
            pool.shutdown();
        }
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

    private String json(Token token) {
        return this.json.writeValueAsString(token);
    }

    private static String id(int i) {
        return String.format(Locale.ROOT, "%08d", i);
    }

    // A token of the sample's shape, about 900 bytes of JSON with 5 to 8 attributes.
    static Token token(int i) {
        Random random = new Random(i);
        String[] traits = { "Background", "Eyes", "Mouth", "Hat", "Clothes", "Accessory", "Skin", "Aura" };
        List<TokenAttribute> attributes = new ArrayList<>();
        for (int t = 0; t < 5 + random.nextInt(4); t++) {
            attributes.add(new TokenAttribute(traits[t], "value-" + Integer.toHexString(random.nextInt(1 << 20))));
        }
        return new Token(id(i), "bafybeig" + hex(random, 52), "bafkrei" + hex(random, 52),
                "ipfs://bafybeig" + hex(random, 52) + "/metadata.json", "0x" + hex(random, 40), "user" + i,
                (long) random.nextInt(1_000_000), "Display Name " + i,
                "https://imagedelivery.net/" + hex(random, 22) + "/" + hex(random, 36) + "/original", "0x" + hex(random, 64),
                Instant.ofEpochSecond(1_700_000_000L + i), attributes, "cast", "0x" + hex(random, 40),
                random.nextInt(500));
    }

    private static String hex(Random random, int length) {
        StringBuilder hex = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            hex.append(Character.forDigit(random.nextInt(16), 16));
        }
        return hex.toString();
    }

    @FunctionalInterface
    private interface Work {

        void run() throws Exception;

    }

    private record Result(String name, double rowsPerSecond, long peakHeapBytes, long peakLiveBytes) {
    }

    // The measurements of every approach, in the order first measured.
    private static final class Results {

        private final Map<String, List<Result>> byName = new LinkedHashMap<>();

        void add(Result result) {
            this.byName.computeIfAbsent(result.name(), (name) -> new ArrayList<>()).add(result);
        }

        List<String> names() {
            return List.copyOf(this.byName.keySet());
        }

        double median(String name) {
            double[] rates = this.byName.get(name).stream().mapToDouble(Result::rowsPerSecond).sorted().toArray();
            int middle = rates.length / 2;
            return (rates.length % 2 == 1) ? rates[middle] : (rates[middle - 1] + rates[middle]) / 2;
        }

        long maxPeakHeap(String name) {
            return this.byName.get(name).stream().mapToLong(Result::peakHeapBytes).max().orElse(0);
        }

        long maxAfterGc(String name) {
            return this.byName.get(name).stream().mapToLong(Result::peakLiveBytes).max().orElse(0);
        }

        String rounds(String name) {
            return String.join(" / ", this.byName.get(name).stream()
                .map((result) -> String.format(Locale.ROOT, "%,.0f", result.rowsPerSecond()))
                .toList());
        }

    }

}
