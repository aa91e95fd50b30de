package dev.dualwrite.core.verify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.zip.CRC32;

import dev.dualwrite.core.compare.EntityComparator;
import dev.dualwrite.core.compare.EntityComparator.FieldValues;
import dev.dualwrite.core.redis.scan.RawScanBatch;
import dev.dualwrite.core.redis.scan.RedisEntityScanner;
import dev.dualwrite.core.redis.scan.ScanBatch;
import dev.dualwrite.core.redis.scan.ScanPosition;
import dev.dualwrite.core.redis.scan.ScanSettings;
import dev.dualwrite.core.redis.scan.ScannedEntry;
import dev.dualwrite.core.repair.FailureReason;
import dev.dualwrite.core.repair.RepairLog;
import dev.dualwrite.core.routing.DualRepository;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.util.Assert;

/**
 * Compares a repository's two stores completely (or a sample of keys, or only their sizes)
 * and reports every difference: keys only in Redis, rows only in PostgreSQL, and keys whose
 * content differs, compared field by field through the PostgreSQL entity mapping (see
 * {@link EntityComparator}), so representation details do not count while real changes do.
 * <p>
 * Memory stays flat in the number of keys: Redis is scanned in batches, each batch's rows
 * looked up in PostgreSQL with one query and compared on a few threads; at the same time,
 * PostgreSQL ids are paged by keyset, each page checked for existence in Redis. Differences
 * found while the application writes may be writes in flight, so each is read again from
 * both stores, under the key's advisory lock, after a settle delay, and only reported if it
 * persists.
 */
public class Verifier {

    private static final Logger logger = LoggerFactory.getLogger(Verifier.class);

    private static final int RECHECK_BATCH = 1000;

    private static final int STEP_ATTEMPTS = 3;

    // Threads that decode, load and compare Redis batches while one reads the next: enough to
    // keep the cores of a small machine busy, few enough not to crowd the connection pool.
    private static final int COMPARE_THREADS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));

    // PostgreSQL pages checked ahead of the verifying thread, which merges them.
    private static final int PAGES_AHEAD = 4;

    private static final Duration PROGRESS_LOG_INTERVAL = Duration.ofSeconds(10);

    private final RedisScanners scanners;

    private final EntityComparator comparator;

    private final StrategySource strategies;

    private final Map<Store, ? extends RepairLog> repairLogs;

    private final Clock clock;

    /**
     * @param scanners scanners of each repository's Redis store
     * @param comparator compares entities of the PostgreSQL types
     * @param strategies the strategy in force (recorded in reports)
     * @param repairLogs the repair log of each store to repair (pending counts in reports)
     */
    public Verifier(RedisScanners scanners, EntityComparator comparator, StrategySource strategies,
            Map<Store, ? extends RepairLog> repairLogs) {
        this(scanners, comparator, strategies, repairLogs, Clock.systemUTC());
    }

    Verifier(RedisScanners scanners, EntityComparator comparator, StrategySource strategies,
            Map<Store, ? extends RepairLog> repairLogs, Clock clock) {
        Assert.notNull(scanners, "scanners must not be null");
        Assert.notNull(comparator, "comparator must not be null");
        Assert.notNull(strategies, "strategies must not be null");
        Assert.notNull(repairLogs, "repairLogs must not be null");
        this.scanners = scanners;
        this.comparator = comparator;
        this.strategies = strategies;
        this.repairLogs = Map.copyOf(repairLogs);
        this.clock = clock;
    }

    /**
     * Verify one repository, logging the summary when done.
     * @param repository the paired repository
     * @param options what to compare
     * @return the report; {@link VerificationReport#agree()} says whether the stores agree
     */
    public VerificationReport verify(DualRepository<?, ?, ?> repository, VerifyOptions options) {
        return verify(repository, options, (progress) -> {
        });
    }

    /**
     * Verify one repository, telling {@code progress} where it stands after every batch.
     * @param repository the paired repository
     * @param options what to compare
     * @param progress called after every batch, on the verifying thread
     * @return the report
     */
    public VerificationReport verify(DualRepository<?, ?, ?> repository, VerifyOptions options,
            Consumer<VerificationProgress> progress) {
        Assert.notNull(repository, "repository must not be null");
        Assert.notNull(options, "options must not be null");
        Assert.notNull(progress, "progress must not be null");
        VerificationReport report = run(repository, options, progress);
        if (report.agree()) {
            logger.info("dual-write verify: {}", report.summary());
        }
        else {
            logger.warn("dual-write verify: {}", report.summary());
        }
        return report;
    }

    /**
     * Find a repository by name among some, for callers that know only the name.
     * @param repositories the paired repositories
     * @param name the repository name
     * @return the repository
     * @throws IllegalArgumentException naming the paired repositories when none has the name
     */
    public static DualRepository<?, ?, ?> find(Supplier<? extends Collection<? extends DualRepository<?, ?, ?>>> repositories,
            String name) {
        Collection<? extends DualRepository<?, ?, ?>> all = repositories.get();
        return all.stream()
            .filter((repository) -> repository.name().equals(name))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("No paired repository is named '" + name
                    + "'; paired repositories: " + all.stream().map(DualRepository::name).toList()));
    }

    @SuppressWarnings("unchecked")
    private <R, P, ID> VerificationReport run(DualRepository<R, P, ID> repository, VerifyOptions options,
            Consumer<VerificationProgress> progress) {
        Run<R, P, ID> run = new Run<>(repository, this.scanners.scannerFor(repository), options, progress);
        try {
            run.execute();
        }
        catch (RuntimeException ex) {
            run.error = FailureReason.describe(ex);
            logger.warn("dual-write verify: repository '{}' could not be verified completely", repository.name(), ex);
        }
        return run.report();
    }

    /** Bucket of a key in [0, 1 000 000): the same key always falls in the same bucket. */
    static int bucket(String key) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return (int) (crc.getValue() % 1_000_000L);
    }

    /** One verification: its state, in bounded memory. */
    private final class Run<R, P, ID> {

        private final DualRepository<R, P, ID> repository;

        private final RedisEntityScanner<R, ID> scanner;

        private final VerifyOptions options;

        private final Consumer<VerificationProgress> progress;

        private final ScanSettings settings;

        private final WriteStrategy strategy;

        private final Instant startedAt;

        private final Map<DifferenceKind, Long> counts = new EnumMap<>(DifferenceKind.class);

        private final Map<String, Difference> differences = new LinkedHashMap<>();

        private final List<Candidate> candidates = new ArrayList<>();

        private boolean truncated;

        private double percent = 100;

        private long redisKeys;

        private long postgresRows;

        private long compared;

        private long postgresTotal = -1;

        private long redisSize = -1;

        private double redisFraction;

        private String phase = "redis";

        private Instant lastLog;

        private @Nullable String error;

        Run(DualRepository<R, P, ID> repository, RedisEntityScanner<R, ID> scanner, VerifyOptions options,
                Consumer<VerificationProgress> progress) {
            this.repository = repository;
            this.scanner = scanner;
            this.options = options;
            this.progress = progress;
            this.settings = ScanSettings.DEFAULTS.withBatchSize(options.batchSize());
            this.strategy = Verifier.this.strategies.strategyFor(repository.name());
            this.startedAt = Verifier.this.clock.instant();
            this.lastLog = this.startedAt;
            for (DifferenceKind kind : DifferenceKind.values()) {
                this.counts.put(kind, 0L);
            }
        }

        void execute() {
            this.postgresTotal = this.repository.postgres().count();
            this.redisSize = this.scanner.size();
            if (this.options.mode() == VerifyMode.COUNTS_ONLY) {
                this.postgresRows = this.postgresTotal;
                this.redisKeys = (this.redisSize >= 0) ? this.redisSize : countRedisKeys();
                return;
            }
            if (this.options.mode() == VerifyMode.SAMPLED) {
                this.percent = (this.options.sampleCount() > 0)
                        ? Math.min(100.0, this.options.sampleCount() * 100.0
                                / Math.max(1, Math.max(this.postgresTotal, this.redisSize)))
                        : this.options.samplePercent();
            }
            logger.info("dual-write verify: repository '{}' ({}): comparing {} with {} PostgreSQL rows{}",
                    this.repository.name(), this.strategy, this.scanner.describe(), this.postgresTotal,
                    (this.percent < 100) ? String.format(java.util.Locale.ROOT, ", sampling %.2f%% of keys", this.percent)
                            : "");
            // Phase 2 runs beside phase 1, on its own thread: it needs little but the servers.
            ExecutorService pager = daemonThreads("dualwrite-verify-pager", 1);
            BlockingQueue<PostgresPage> pages = new ArrayBlockingQueue<>(PAGES_AHEAD);
            try {
                Future<?> paging = pager.submit(() -> pagePostgres(pages));
                scanRedis(pages);
                flushCandidates();
                this.phase = "postgres";
                report(false);
                while (!paging.isDone() || !pages.isEmpty()) {
                    PostgresPage page = await(() -> pages.poll(100, TimeUnit.MILLISECONDS));
                    if (page != null) {
                        merge(page);
                    }
                }
                await(paging);
                flushCandidates();
            }
            finally {
                pager.shutdownNow();
            }
            this.phase = "done";
            report(true);
        }

        private long countRedisKeys() {
            long count = 0;
            ScanPosition position = ScanPosition.initial();
            ScanBatch<R, ID> batch;
            do {
                ScanPosition from = position;
                batch = step(() -> this.scanner.next(from, this.settings));
                count += batch.entries().size();
                position = batch.position();
            }
            while (!batch.complete());
            return count;
        }

        // Phase 1: every Redis key, its row looked up in PostgreSQL. One thread reads the next
        // batch (SCAN and pipelined reads, undecoded) while a few others decode earlier ones,
        // load their rows and compare, so that both stores and every core are busy at once.
        // Only this thread touches the run's state: it merges what the others found, in order.
        private void scanRedis(BlockingQueue<PostgresPage> pages) {
            ExecutorService reader = daemonThreads("dualwrite-verify-reader", 1);
            ExecutorService comparers = daemonThreads("dualwrite-verify-compare", COMPARE_THREADS);
            Deque<Future<ComparedBatch>> comparing = new ArrayDeque<>();
            try {
                Future<RawScanBatch> next = read(reader, ScanPosition.initial());
                RawScanBatch batch;
                do {
                    batch = await(next);
                    if (!batch.complete()) {
                        next = read(reader, batch.position());
                    }
                    RawScanBatch read = batch;
                    comparing.add(comparers.submit(() -> compare(read)));
                    if (comparing.size() > COMPARE_THREADS) {
                        merge(await(comparing.remove()));
                    }
                    for (PostgresPage page = pages.poll(); page != null; page = pages.poll()) {
                        merge(page);
                    }
                }
                while (!batch.complete() && !sampleReached(this.redisKeys));
                while (!comparing.isEmpty()) {
                    merge(await(comparing.remove()));
                }
            }
            finally {
                reader.shutdownNow();
                comparers.shutdownNow();
            }
        }

        private Future<RawScanBatch> read(ExecutorService reader, ScanPosition from) {
            return reader.submit(() -> step(() -> this.scanner.scan(from, this.settings)));
        }

        private <T> T await(Future<T> result) {
            return await(result::get);
        }

        private <T> T await(Callable<T> wait) {
            try {
                return wait.call();
            }
            catch (ExecutionException ex) {
                throw (ex.getCause() instanceof RuntimeException runtime) ? runtime
                        : new IllegalStateException(ex.getCause());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while verifying", ex);
            }
            catch (RuntimeException ex) {
                throw ex;
            }
            catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }

        // On a comparing thread: reads only what never changes during the run.
        private ComparedBatch compare(RawScanBatch batch) {
            Map<ID, R> entities = new LinkedHashMap<>();
            List<String> differing = new ArrayList<>();
            long keys = 0;
            for (ScannedEntry<R, ID> entry : this.scanner.decode(batch.entries())) {
                String key = keyOf(entry);
                if (!sampled(key)) {
                    continue;
                }
                keys++;
                if (entry.isReject() || entry.id() == null) {
                    differing.add(key);
                }
                else {
                    entities.put(entry.id(), entry.entity());
                }
            }
            long compared = 0;
            if (!entities.isEmpty()) {
                Map<Object, P> rows = new HashMap<>();
                for (P row : step(() -> this.repository.postgres().loadAll(entities.keySet()))) {
                    rows.put(this.repository.postgres().idOf(row), row);
                }
                for (Map.Entry<ID, R> entity : entities.entrySet()) {
                    P row = rows.get(entity.getKey());
                    if (row != null) {
                        compared++;
                    }
                    String key = this.repository.keyOf(entity.getKey());
                    if (difference(key, entity.getValue(), null, row) != null) {
                        differing.add(key);
                    }
                }
            }
            return new ComparedBatch(keys, compared, differing, batch.fraction());
        }

        private void merge(ComparedBatch batch) {
            this.redisKeys += batch.keys();
            this.compared += batch.compared();
            batch.differing().forEach(this::candidate);
            this.redisFraction = batch.fraction();
            report(false);
        }

        // Phase 2, on its own thread: every PostgreSQL id, its key looked up in Redis; the keys
        // missing there are handed to the verifying thread a page at a time.
        private Void pagePostgres(BlockingQueue<PostgresPage> pages) throws InterruptedException {
            ID after = null;
            List<ID> ids;
            long seen = 0;
            do {
                ID from = after;
                ids = step(() -> this.repository.postgres().idsAfter(from, this.options.batchSize()));
                Map<String, ID> byRedisKey = new LinkedHashMap<>();
                for (ID id : ids) {
                    if (sampled(this.repository.keyOf(id))) {
                        byRedisKey.put(this.scanner.keyOf(id), id);
                    }
                }
                List<String> missing = new ArrayList<>();
                if (!byRedisKey.isEmpty()) {
                    Set<String> existing = step(() -> this.scanner.existing(byRedisKey.keySet(), this.settings));
                    byRedisKey.forEach((redisKey, id) -> {
                        if (!existing.contains(redisKey)) {
                            missing.add(this.repository.keyOf(id));
                        }
                    });
                }
                seen += byRedisKey.size();
                pages.put(new PostgresPage(byRedisKey.size(), missing));
                after = ids.isEmpty() ? after : ids.get(ids.size() - 1);
            }
            while (ids.size() == this.options.batchSize() && !sampleReached(seen));
            return null;
        }

        private void merge(PostgresPage page) {
            this.postgresRows += page.rows();
            page.missingInRedis().forEach(this::candidate);
            report(false);
        }

        private boolean sampled(String key) {
            return this.percent >= 100 || bucket(key) < this.percent * 10_000;
        }

        private boolean sampleReached(long seen) {
            return this.options.mode() == VerifyMode.SAMPLED && this.options.sampleCount() > 0
                    && seen >= this.options.sampleCount();
        }

        private String keyOf(ScannedEntry<R, ID> entry) {
            return (entry.id() != null) ? this.repository.keyOf(entry.id()) : entry.redisKey();
        }

        private void candidate(String key) {
            this.candidates.add(new Candidate(key, Verifier.this.clock.millis()));
            if (this.candidates.size() >= RECHECK_BATCH) {
                flushCandidates();
            }
        }

        // A difference seen while the application writes may be a write in flight: read the key
        // again from both stores after the settle delay, holding its lock so that no copy of
        // the library is half done, and report it only if it is still there.
        private void flushCandidates() {
            if (this.candidates.isEmpty()) {
                return;
            }
            long wait = this.candidates.get(0).foundAt() + this.options.settleDelay().toMillis()
                    - Verifier.this.clock.millis();
            if (wait > 0) {
                try {
                    Thread.sleep(wait);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Verification interrupted", ex);
                }
            }
            for (Candidate candidate : this.candidates) {
                Difference difference = step(() -> recheck(candidate.key()));
                if (difference != null) {
                    record(difference);
                }
            }
            this.candidates.clear();
        }

        private @Nullable Difference recheck(String key) {
            ID id = idOf(key);
            return this.repository.postgres().inKeyLock(key, () -> {
                List<ScannedEntry<R, ID>> found = this.scanner.read(List.of(this.scanner.keyOf(id)), this.settings);
                ScannedEntry<R, ID> entry = found.isEmpty() ? null : found.get(0);
                Optional<P> row = this.repository.postgres().load(id);
                if (entry != null && entry.isReject()) {
                    return new Difference(key, DifferenceKind.UNREADABLE_IN_REDIS, List.of(), null, entry.problem());
                }
                return difference(key, (entry != null) ? entry.entity() : null, null, row.orElse(null));
            });
        }

        private @Nullable Difference difference(String key, @Nullable R entity, @Nullable String problem,
                @Nullable P row) {
            if (entity == null && row == null) {
                return null;
            }
            if (entity == null) {
                return Difference.of(key, DifferenceKind.ONLY_IN_POSTGRES);
            }
            if (row == null) {
                return Difference.of(key, DifferenceKind.ONLY_IN_REDIS);
            }
            P mapped;
            try {
                mapped = this.repository.mapping().toPostgres(entity);
            }
            catch (RuntimeException ex) {
                return new Difference(key, DifferenceKind.UNREADABLE_IN_REDIS, List.of(), null,
                        "the Redis value does not map to " + this.repository.postgres().entityType().getSimpleName()
                                + ": " + FailureReason.describe(ex));
            }
            Map<String, FieldValues> fields = Verifier.this.comparator.differences(mapped, row);
            if (fields.isEmpty()) {
                return null;
            }
            return new Difference(key, DifferenceKind.CONTENT, List.copyOf(fields.keySet()),
                    this.options.includeValues() ? fields : null, null);
        }

        private void record(Difference difference) {
            if (this.differences.containsKey(difference.key())) {
                return;
            }
            this.counts.merge(difference.kind(), 1L, Long::sum);
            if (this.differences.size() < this.options.maxDifferences()) {
                this.differences.put(difference.key(), difference);
            }
            else {
                this.truncated = true;
            }
        }

        @SuppressWarnings("unchecked")
        private ID idOf(String key) {
            ID id = (ID) DefaultConversionService.getSharedInstance().convert(key, this.repository.redis().idType());
            Assert.state(id != null, () -> "Key '" + key + "' converts to no id");
            return id;
        }

        // Redis and PostgreSQL calls are retried a few times: a verification of millions of
        // keys should not fail on one dropped connection.
        private <T> T step(Supplier<T> call) {
            RuntimeException last = null;
            for (int attempt = 1; attempt <= STEP_ATTEMPTS; attempt++) {
                try {
                    return call.get();
                }
                catch (RuntimeException ex) {
                    last = ex;
                    try {
                        Thread.sleep(200L * attempt);
                    }
                    catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            throw last;
        }

        private void report(boolean force) {
            VerificationProgress now = progressNow();
            this.progress.accept(now);
            Instant at = Verifier.this.clock.instant();
            if (force || at.isAfter(this.lastLog.plus(PROGRESS_LOG_INTERVAL))) {
                this.lastLog = at;
                if (!force) {
                    logger.info("dual-write verify: repository '{}': {} ({} Redis keys, {} PostgreSQL rows, {} "
                            + "differences, {} keys/s, ETA {})", this.repository.name(),
                            String.format(java.util.Locale.ROOT, "%.1f%%", now.fraction() * 100), now.redisKeys(),
                            now.postgresRows(), now.differences(), Math.round(now.rowsPerSecond()), now.eta());
                }
            }
        }

        VerificationProgress progressNow() {
            double seconds = Math.max(1, Duration.between(this.startedAt, Verifier.this.clock.instant()).toMillis())
                    / 1000.0;
            long done = this.redisKeys + this.postgresRows;
            double rate = done / seconds;
            double sample = this.percent / 100.0;
            double redisTotal = (this.redisSize >= 0) ? this.redisSize * sample
                    : (this.redisFraction > 0 ? this.redisKeys / this.redisFraction
                            : Math.max(0, this.postgresTotal) * sample);
            if (!this.phase.equals("redis")) {
                redisTotal = this.redisKeys;
            }
            double total = redisTotal + Math.max(0, this.postgresTotal) * sample;
            double fraction = this.phase.equals("done") ? 1.0 : (total > 0 ? Math.min(1.0, done / total) : 0.0);
            Duration eta = (rate > 0 && total > 0) ? Duration.ofSeconds(Math.round(Math.max(0, total - done) / rate))
                    : null;
            long found = this.counts.values().stream().mapToLong(Long::longValue).sum();
            return new VerificationProgress(this.phase, this.redisKeys, this.postgresRows, found, fraction, rate, eta);
        }

        VerificationReport report() {
            Map<String, @Nullable Long> pending = new LinkedHashMap<>();
            Verifier.this.repairLogs.forEach((store, log) -> {
                Long count;
                try {
                    count = log.pendingCount(this.repository.name());
                }
                catch (RuntimeException ex) {
                    count = null;
                }
                pending.put(store.tagValue(), count);
            });
            return new VerificationReport(this.repository.name(), this.strategy, this.options.mode(), this.percent,
                    this.startedAt, Verifier.this.clock.instant(), this.redisKeys, this.postgresRows, this.compared,
                    Map.copyOf(this.counts), List.copyOf(this.differences.values()), this.truncated, pending,
                    this.error);
        }

    }

    private record Candidate(String key, long foundAt) {
    }

    // What a comparing thread found in one Redis batch: keys sampled and compared, and the
    // keys that differ (to be checked again).
    private record ComparedBatch(long keys, long compared, List<String> differing, double fraction) {
    }

    // Keys of PostgreSQL rows that a page found missing in Redis, and how many rows it checked.
    private record PostgresPage(long rows, List<String> missingInRedis) {
    }

    private static ExecutorService daemonThreads(String name, int threads) {
        return Executors.newFixedThreadPool(threads, (task) -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        });
    }

}
