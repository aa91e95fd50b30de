package dev.dualwrite.core.verify;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import java.util.zip.CRC32;

import dev.dualwrite.core.compare.EntityComparator;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.repair.FailureReason;
import dev.dualwrite.core.store.scan.OldStoreScanner;
import dev.dualwrite.core.store.scan.RawSourceBatch;
import dev.dualwrite.core.store.scan.ScanSettings;
import dev.dualwrite.core.store.scan.ScannedEntry;
import dev.dualwrite.core.store.scan.SourceBatch;
import dev.dualwrite.core.store.scan.SourcePosition;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.VerificationProgress.Phase;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One verification of one repository ({@link Verifier}), and its state, in memory bounded
 * whatever the number of keys. Phase 1 reads every Redis key (one thread reads batches, a few
 * decode them, load their rows and compare); phase 2, at the same time on its own thread,
 * pages PostgreSQL's ids and checks them in Redis. Only the verifying thread (the caller of
 * {@link #execute}) changes the run's state: it merges what the other threads found, in
 * order, and reads every difference again before recording it ({@link KeyComparison#recheck}).
 * @param <R> the Redis entity type
 * @param <P> the PostgreSQL entity type
 * @param <ID> the id type
 */
final class VerificationRun<R, P, ID> {

    // The Verifier's logger: what an operator configures for verification.
    private static final Logger logger = LoggerFactory.getLogger(Verifier.class);

    // Threads that decode, load and compare Redis batches while one reads the next: enough to
    // keep the cores of a small machine busy, few enough not to crowd the connection pool.
    private static final int COMPARE_THREADS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));

    // PostgreSQL pages checked ahead of the verifying thread, which merges them.
    private static final int PAGES_AHEAD = 4;

    private static final Duration PROGRESS_LOG_INTERVAL = Duration.ofSeconds(10);

    private final DualRepository<R, P, ID> repository;

    private final OldStoreScanner<R, ID> scanner;

    private final VerifyOptions options;

    // PostgreSQL's comparison of this repository's batches, or null: every row field by field.
    private final PostgresComparison.@Nullable Batches inPostgres;

    private final KeyComparison<R, P, ID> comparison;

    private final FoundDifferences differences;

    private final Clock clock;

    private final Consumer<VerificationProgress> progress;

    private final ScanSettings settings;

    private final WriteStrategy strategy;

    private final Instant startedAt;

    private double percent = 100;

    private long redisKeys;

    private long postgresRows;

    private long compared;

    private long postgresTotal = -1;

    private long redisSize = -1;

    private double redisFraction;

    private Phase phase = Phase.REDIS;

    private Instant lastLog;

    /**
     * @param repository the repository to verify
     * @param scanner its old store's scanner
     * @param options what to compare
     * @param progress told where the run stands after every batch, on the verifying thread
     * @param strategy the strategy in force (recorded in the report)
     * @param comparator compares entities of the PostgreSQL type
     * @param clock the clock
     * @param postgresComparison lets PostgreSQL tell which rows may differ, or {@code null}
     */
    VerificationRun(DualRepository<R, P, ID> repository, OldStoreScanner<R, ID> scanner, VerifyOptions options,
            Consumer<VerificationProgress> progress, WriteStrategy strategy, EntityComparator comparator,
            Clock clock, @Nullable PostgresComparison postgresComparison) {
        this.repository = repository;
        // An expiry's comparison is within a tolerance, which PostgreSQL's comparison does not
        // know; a count compares no rows, and would only pay for the catalog query and the log.
        this.inPostgres = (postgresComparison != null && !repository.expiry().enabled()
                && options.mode() != VerifyMode.COUNTS_ONLY) ? inPostgres(postgresComparison, repository) : null;
        this.scanner = scanner;
        this.options = options;
        this.progress = progress;
        this.settings = ScanSettings.DEFAULTS.withBatchSize(options.batchSize());
        this.comparison = new KeyComparison<>(repository, scanner, this.settings, comparator,
                options.includeValues());
        this.differences = new FoundDifferences(options, this.comparison, clock);
        this.strategy = strategy;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.lastLog = this.startedAt;
    }

    /** Compare the stores as the options ask; throws when a store keeps failing. */
    void execute() {
        // Rows whose expiry has passed are gone for every read, so not counted either.
        this.postgresTotal = this.repository.expiry().enabled() ? this.repository.expiry().countLive()
                : this.repository.postgres().count();
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
                (this.percent < 100) ? String.format(Locale.ROOT, ", sampling %.2f%% of keys", this.percent)
                        : "");
        // Phase 2 runs beside phase 1, on its own thread: it needs little but the servers.
        ExecutorService pager = daemonThreads("dualwrite-verify-pager", 1);
        BlockingQueue<PostgresPage> pages = new ArrayBlockingQueue<>(PAGES_AHEAD);
        try {
            Future<?> paging = pager.submit(() -> pagePostgres(pages));
            scanRedis(pages);
            this.differences.recheckCandidates();
            this.phase = Phase.POSTGRES;
            report();
            while (!paging.isDone() || !pages.isEmpty()) {
                PostgresPage page = await(() -> pages.poll(100, TimeUnit.MILLISECONDS));
                if (page != null) {
                    merge(page);
                }
            }
            await(paging);
            this.differences.recheckCandidates();
        }
        finally {
            pager.shutdownNow();
        }
        this.phase = Phase.DONE;
        // The last progress, without a log line: the Verifier logs the summary.
        this.progress.accept(progressNow());
    }

    private long countRedisKeys() {
        long count = 0;
        SourcePosition position = this.scanner.initialPosition();
        SourceBatch<R, ID> batch;
        do {
            SourcePosition from = position;
            batch = StoreCalls.retried(() -> this.scanner.nextPage(from, this.settings));
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
            Future<RawSourceBatch> next = read(reader, this.scanner.initialPosition());
            RawSourceBatch batch;
            do {
                batch = await(next);
                if (!batch.complete()) {
                    next = read(reader, batch.position());
                }
                RawSourceBatch read = batch;
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

    private Future<RawSourceBatch> read(ExecutorService reader, SourcePosition from) {
        return reader.submit(() -> StoreCalls.retried(() -> this.scanner.scanPage(from, this.settings)));
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
    private ComparedBatch compare(RawSourceBatch batch) {
        // Each entity with its key.
        Map<ID, R> entities = new LinkedHashMap<>();
        Map<ID, String> keysOf = new HashMap<>();
        List<String> differing = new ArrayList<>();
        List<Difference> unreadable = new ArrayList<>();
        long keys = 0;
        for (ScannedEntry<R, ID> entry : this.scanner.decode(batch.entries())) {
            String key = keyOf(entry);
            if (!sampled(key)) {
                continue;
            }
            keys++;
            if (entry.id() == null) {
                // A key that names no id: no write of the library can be changing it, and there
                // is no id to read again by.
                unreadable.add(new Difference(key, DifferenceKind.UNREADABLE_IN_REDIS, List.of(), null,
                        entry.problem()));
            }
            else if (entry.isReject()) {
                differing.add(key);
            }
            else {
                entities.put(entry.id(), entry.entity());
                keysOf.put(entry.id(), key);
            }
        }
        long compared = 0;
        if (!entities.isEmpty() && this.inPostgres != null) {
            compared = leaveAgreeingToPostgres(this.inPostgres, entities, keysOf);
        }
        if (!entities.isEmpty()) {
            Map<Object, P> rows = new HashMap<>();
            for (P row : StoreCalls.retried(() -> this.repository.postgres().loadAll(entities.keySet()))) {
                rows.put(this.repository.postgres().idOf(row), row);
            }
            // The keys' expiries, in one round trip, when the repository carries them.
            Map<String, Long> pttls = StoreCalls.retried(() -> this.repository.expiry()
                .pttls(entities.keySet().stream().map(this.scanner::keyOf).toList()));
            Instant now = Instant.now();
            for (Map.Entry<ID, R> entity : entities.entrySet()) {
                P row = rows.get(entity.getKey());
                if (row != null) {
                    compared++;
                }
                String key = keysOf.get(entity.getKey());
                Long pttl = pttls.get(this.scanner.keyOf(entity.getKey()));
                if (this.comparison.difference(key, entity.getValue(), row, pttl, now) != null) {
                    differing.add(key);
                }
            }
        }
        return new ComparedBatch(keys, compared, differing, unreadable, batch.fraction());
    }

    private static PostgresComparison.@Nullable Batches inPostgres(PostgresComparison comparison,
            DualRepository<?, ?, ?> repository) {
        try {
            return comparison.of(repository);
        }
        catch (RuntimeException ex) {
            logger.warn("dual-write verify: repository '{}': every row is compared field by field, as PostgreSQL's "
                    + "comparison could not be set up: {}", repository.name(), FailureReason.describe(ex));
            return null;
        }
    }

    // Removes from the entities those PostgreSQL found stored as they map, and returns how many
    // it removed: compared, and agreeing.
    private long leaveAgreeingToPostgres(PostgresComparison.Batches inPostgres, Map<ID, R> entities,
            Map<ID, String> keysOf) {
        Map<String, P> mapped = new LinkedHashMap<>();
        for (Map.Entry<ID, R> entity : entities.entrySet()) {
            try {
                mapped.put(keysOf.get(entity.getKey()), this.repository.mapping().toPostgres(entity.getValue()));
            }
            catch (RuntimeException ex) {
                // Compared field by field, which reports why it does not map.
            }
        }
        Set<String> toCompare;
        try {
            toCompare = inPostgres.keysToCompare(mapped);
        }
        catch (RuntimeException ex) {
            // A shortcut only: a value PostgreSQL cannot read (the field-by-field comparison
            // reports its key) or a failing store (the field-by-field comparison's reads retry)
            // leaves the batch to the field-by-field comparison.
            logger.debug("dual-write verify: repository '{}': comparing a batch field by field, as PostgreSQL "
                    + "could not compare it: {}", this.repository.name(), FailureReason.describe(ex));
            return 0;
        }
        long agreeing = 0;
        for (Iterator<ID> ids = entities.keySet().iterator(); ids.hasNext();) {
            String key = keysOf.get(ids.next());
            if (mapped.containsKey(key) && !toCompare.contains(key)) {
                ids.remove();
                agreeing++;
            }
        }
        return agreeing;
    }

    private void merge(ComparedBatch batch) {
        this.redisKeys += batch.keys();
        this.compared += batch.compared();
        batch.differing().forEach(this.differences::candidate);
        batch.unreadable().forEach(this.differences::confirmed);
        this.redisFraction = batch.fraction();
        report();
    }

    // Phase 2, on its own thread: every PostgreSQL id, its key looked up in Redis; the keys
    // missing there are handed to the verifying thread a page at a time.
    private Void pagePostgres(BlockingQueue<PostgresPage> pages) throws InterruptedException {
        ID after = null;
        List<ID> ids;
        long seen = 0;
        do {
            ID from = after;
            ids = StoreCalls.retried(() -> this.repository.postgres().idsAfter(from, this.options.batchSize()));
            Map<String, ID> byRedisKey = new LinkedHashMap<>();
            for (ID id : ids) {
                if (sampled(this.repository.keyOf(id))) {
                    byRedisKey.put(this.scanner.keyOf(id), id);
                }
            }
            List<String> missing = new ArrayList<>();
            if (!byRedisKey.isEmpty()) {
                Set<String> existing = StoreCalls.retried(() -> this.scanner.existing(byRedisKey.keySet(), this.settings));
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
        page.missingInRedis().forEach(this.differences::candidate);
        report();
    }

    private boolean sampled(String key) {
        return this.percent >= 100 || bucket(key) < this.percent * 10_000;
    }

    // Bucket of a key in [0, 1 000 000): the same key always falls in the same bucket.
    private static int bucket(String key) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % 1_000_000L);
    }

    private boolean sampleReached(long seen) {
        return this.options.mode() == VerifyMode.SAMPLED && this.options.sampleCount() > 0
                && seen >= this.options.sampleCount();
    }

    private String keyOf(ScannedEntry<R, ID> entry) {
        return (entry.id() != null) ? this.repository.keyOf(entry.id()) : entry.redisKey();
    }

    // Tell the caller where the run stands, and log it at the progress interval.
    private void report() {
        VerificationProgress now = progressNow();
        this.progress.accept(now);
        Instant at = this.clock.instant();
        if (at.isAfter(this.lastLog.plus(PROGRESS_LOG_INTERVAL))) {
            this.lastLog = at;
            logger.info("dual-write verify: repository '{}': {} ({} Redis keys, {} PostgreSQL rows, {} "
                    + "differences, {} keys/s, ETA {})", this.repository.name(),
                    String.format(Locale.ROOT, "%.1f%%", now.fraction() * 100), now.redisKeys(),
                    now.postgresRows(), now.differences(), Math.round(now.rowsPerSecond()), now.eta());
        }
    }

    private VerificationProgress progressNow() {
        double seconds = Math.max(1, Duration.between(this.startedAt, this.clock.instant()).toMillis())
                / 1000.0;
        long done = this.redisKeys + this.postgresRows;
        double rate = done / seconds;
        double sample = this.percent / 100.0;
        double redisTotal = (this.redisSize >= 0) ? this.redisSize * sample
                : (this.redisFraction > 0 ? this.redisKeys / this.redisFraction
                        : Math.max(0, this.postgresTotal) * sample);
        if (this.phase != Phase.REDIS) {
            redisTotal = this.redisKeys;
        }
        double total = redisTotal + Math.max(0, this.postgresTotal) * sample;
        double fraction = (this.phase == Phase.DONE) ? 1.0 : (total > 0 ? Math.min(1.0, done / total) : 0.0);
        Duration eta = (rate > 0 && total > 0) ? Duration.ofSeconds(Math.round(Math.max(0, total - done) / rate))
                : null;
        long found = this.differences.total();
        return new VerificationProgress(this.phase, this.redisKeys, this.postgresRows, found, fraction, rate, eta);
    }

    /**
     * Return the report of the run as far as it went.
     * @param pendingRepairs pending repair records by store tag ({@code null}: unknown)
     * @param error why the run stopped short, or {@code null} when it completed
     */
    VerificationReport report(Map<String, @Nullable Long> pendingRepairs, @Nullable String error) {
        return new VerificationReport(this.repository.name(), this.strategy, this.options.mode(), this.percent,
                this.startedAt, this.clock.instant(), this.redisKeys, this.postgresRows, this.compared,
                this.differences.counts(), this.differences.kept(), this.differences.truncated(), pendingRepairs,
                error);
    }

    // What a comparing thread found in one Redis batch: keys sampled and compared, the keys
    // that differ (to be checked again) and the keys that name no id (differences already).
    private record ComparedBatch(long keys, long compared, List<String> differing, List<Difference> unreadable,
            double fraction) {
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
