package dev.dualwrite.core.backfill;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.dualwrite.core.backfill.PostgresBatchWriter.Outcome;
import dev.dualwrite.core.backfill.PostgresBatchWriter.PreparedRow;
import dev.dualwrite.core.store.scan.ScanSettings;
import dev.dualwrite.core.store.scan.ScannedEntry;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.PostgresComparison;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.util.Assert;

/**
 * Copies what paired repositories hold in Redis into PostgreSQL while live traffic goes on:
 * the backfill of stage {@code DUAL}.
 * <p>
 * Guarantees: a row a live write produced is never overwritten and a key a live delete
 * removed is never brought back (see {@link PostgresBatchWriter}); a run killed at any moment
 * resumes from its durable checkpoint without losing a key, and a key copied twice is
 * absorbed; a value that cannot be copied is set aside in the rejects table and the rest is
 * still written; memory stays flat whatever the number of keys. One job runs at a time per
 * instance, and one run per repository across instances. By default present rows are left
 * alone; a catch-up ({@link BackfillMode#CATCH_UP}) also rewrites those that differ from Redis
 * with Redis's current value and removes those whose key is gone, with the same guarantees,
 * and only while the stage stays the {@code DUAL} that every live instance applied when it
 * started (it stops before its next batch otherwise). With
 * {@link BackfillOptions#withPartitioned partitioned} runs, several instances (processes) share
 * one run of a repository instead, each copying partitions of it (one per Redis master) that
 * it claims under a lease, and taking over those of an instance that died.
 * <pre class="code">
 * BackfillJob job = backfill.start(List.of("tokens"), backfill.defaults().withRateLimit(20_000));
 * job.setRateLimit(50_000);
 * BackfillJobReport report = job.await();
 * </pre>
 */
public class Backfill implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(Backfill.class);

    /** The name that stands for every repository in {@link #start}. */
    public static final String ALL = "all";

    private final Supplier<? extends List<? extends BackfillSource<?, ?, ?>>> sourceSupplier;

    private volatile @Nullable Map<String, BackfillSource<?, ?, ?>> sources;

    private final DataSource dataSource;

    private final CheckpointStore checkpoints;

    private final RejectStore rejects;

    private final BackfillMetrics metrics;

    private final Map<String, BackfillOrder> orders;

    private final Function<String, WriteStrategy> strategies;

    private final BackfillOptions defaults;

    private final BackfillListener listener;

    private final ScheduledExecutorService ticker;

    private volatile @Nullable BackfillJob current;

    private final String workerId;

    private final PartitionStore partitions;

    // Renews this worker's partition leases: a thread of its own, so that a busy or stalled
    // progress ticker never lets a lease run out.
    private final ScheduledExecutorService leases;

    private volatile @Nullable Long lockCapacity;

    /**
     * @param sources the repositories that can be backfilled
     * @param dataSource PostgreSQL, where checkpoints, rejects and run locks live
     * @param metrics where meters go
     * @param orders the priority and dependencies of repositories (missing: medium, none)
     * @param strategies the strategy in force of a repository
     * @param defaults options of a job that does not say otherwise
     */
    public Backfill(List<? extends BackfillSource<?, ?, ?>> sources, DataSource dataSource, BackfillMetrics metrics,
            Map<String, BackfillOrder> orders, Function<String, WriteStrategy> strategies, BackfillOptions defaults) {
        this(() -> sources, dataSource, metrics, orders, strategies, defaults);
        sources();
    }

    /**
     * Create a backfill whose repositories are resolved on first use (when they are paired
     * only once the application has started).
     * @param sources supplies the repositories that can be backfilled, called once
     * @param dataSource PostgreSQL, where checkpoints, rejects and run locks live
     * @param metrics where meters go
     * @param orders the priority and dependencies of repositories (missing: medium, none)
     * @param strategies the strategy in force of a repository
     * @param defaults options of a job that does not say otherwise
     */
    public Backfill(Supplier<? extends List<? extends BackfillSource<?, ?, ?>>> sources,
            DataSource dataSource, BackfillMetrics metrics, Map<String, BackfillOrder> orders,
            Function<String, WriteStrategy> strategies, BackfillOptions defaults) {
        this(sources, dataSource, metrics, orders, strategies, defaults, BackfillListener.NONE);
    }

    /**
     * Create a backfill whose repositories are resolved on first use, with a listener that
     * may refuse jobs and hears runs start and end.
     * @param sources supplies the repositories that can be backfilled, called once
     * @param dataSource PostgreSQL, where checkpoints, rejects and run locks live
     * @param metrics where meters go
     * @param orders the priority and dependencies of repositories (missing: medium, none)
     * @param strategies the strategy in force of a repository
     * @param defaults options of a job that does not say otherwise
     * @param listener told before a job starts and when each run starts and ends
     */
    public Backfill(Supplier<? extends List<? extends BackfillSource<?, ?, ?>>> sources,
            DataSource dataSource, BackfillMetrics metrics, Map<String, BackfillOrder> orders,
            Function<String, WriteStrategy> strategies, BackfillOptions defaults, BackfillListener listener) {
        Assert.notNull(sources, "sources must not be null");
        Assert.notNull(dataSource, "dataSource must not be null");
        Assert.notNull(metrics, "metrics must not be null");
        Assert.notNull(orders, "orders must not be null");
        Assert.notNull(strategies, "strategies must not be null");
        Assert.notNull(defaults, "defaults must not be null");
        Assert.notNull(listener, "listener must not be null");
        this.listener = listener;
        this.sourceSupplier = sources;
        this.dataSource = dataSource;
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        this.checkpoints = new CheckpointStore(jdbc);
        this.rejects = new RejectStore(jdbc);
        this.metrics = metrics;
        this.orders = Map.copyOf(orders);
        this.strategies = strategies;
        this.defaults = defaults;
        this.ticker = Executors.newSingleThreadScheduledExecutor(new CustomizableThreadFactory("dualwrite-backfill-progress-"));
        this.workerId = newWorkerId();
        this.partitions = new PartitionStore(dataSource, this.checkpoints);
        this.leases = Executors.newSingleThreadScheduledExecutor(new CustomizableThreadFactory("dualwrite-backfill-lease-"));
        this.ticker.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    private Map<String, BackfillSource<?, ?, ?>> sources() {
        Map<String, BackfillSource<?, ?, ?>> resolved = this.sources;
        if (resolved == null) {
            synchronized (this) {
                resolved = this.sources;
                if (resolved == null) {
                    resolved = new LinkedHashMap<>();
                    for (BackfillSource<?, ?, ?> source : this.sourceSupplier.get()) {
                        resolved.put(source.name(), source);
                        this.metrics.register(source.name());
                    }
                    this.sources = resolved;
                }
            }
        }
        return resolved;
    }

    // host/pid/random: readable in the partitions' table, and unique per instance even for
    // several instances in one process.
    private static String newWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        }
        catch (IOException | RuntimeException ex) {
            host = "unknown-host";
        }
        return host + "/" + ProcessHandle.current().pid() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Return this instance's name as a worker of partitioned runs, as the partitions' table
     * records it ({@code host/pid/random}): unique per {@link Backfill} instance.
     */
    public String workerId() {
        return this.workerId;
    }

    /**
     * Return the partitions of a repository's last partitioned run (see
     * {@link BackfillOptions#withPartitioned}), by name; empty when it never ran partitioned.
     * @param repository the repository
     * @return its partitions, with their owners, leases, positions and counts
     */
    public List<BackfillPartition> partitions(String repository) {
        source(repository);
        return this.partitions.list(repository);
    }

    /** Return the default options, to adjust with their {@code with...} methods. */
    public BackfillOptions defaults() {
        return this.defaults;
    }

    /** Return the names of the repositories that can be backfilled, in declaration order. */
    public List<String> repositories() {
        return List.copyOf(sources().keySet());
    }

    /**
     * Start a job in the background.
     * @param repositories the repositories to backfill (their dependencies that have not
     * completed yet are added); empty, or holding {@code "all"}, for all
     * @param options how to run
     * @return the running job
     * @throws IllegalArgumentException for an unknown repository, a dependency cycle, or
     * options {@link #validate} refuses
     * @throws IllegalStateException when a job is already running on this instance
     * @throws BackfillStageException when a repository of the job (dependencies included) is
     * not at stage {@code DUAL}, unless the options make it a dry run or do not require it (a
     * catch-up always requires it)
     */
    public BackfillJob start(List<String> repositories, BackfillOptions options) {
        return start(repositories, options, "application");
    }

    /**
     * Start a job in the background on behalf of someone, whom the listener (the control
     * plane's ledger) records.
     * @param repositories the repositories to backfill (their dependencies that have not
     * completed yet are added); empty, or holding {@code "all"}, for all
     * @param options how to run
     * @param startedBy who asks
     * @return the running job
     * @throws IllegalArgumentException for an unknown repository, a dependency cycle, or
     * options {@link #validate} refuses
     * @throws IllegalStateException when a job is already running on this instance, or the
     * listener refuses the job (for example while an instance does not apply DUAL yet)
     * @throws BackfillStageException when a repository of the job (dependencies included) is
     * not at stage {@code DUAL}, unless the options make it a dry run or do not require it (a
     * catch-up always requires it)
     */
    public synchronized BackfillJob start(List<String> repositories, BackfillOptions options, String startedBy) {
        Assert.notNull(repositories, "repositories must not be null");
        Assert.notNull(options, "options must not be null");
        Assert.hasText(startedBy, "startedBy must not be empty");
        BackfillJob running = this.current;
        if (running != null && !running.isDone()) {
            throw new IllegalStateException("Backfill job " + running.id() + " of " + running.repositories()
                    + " is still running; stop it or wait for it before starting another");
        }
        validate(options);
        List<String> requested = (repositories.isEmpty() || repositories.contains(ALL)) ? repositories()
                : repositories;
        List<String> order = BackfillOrder.resolve(requested, repositories(), this.orders,
                (name) -> this.checkpoints.find(name).map((cp) -> cp.state() == BackfillState.COMPLETED).orElse(false));
        if (!options.dryRun()) {
            // Refused up front, so that the caller learns it at once; each run checks again
            // when its turn comes, in case the stage moved meanwhile.
            refuseOutsideDual(order, options);
            this.listener.beforeStart(order, startedBy);
        }
        String jobId = UUID.randomUUID().toString();
        BackfillControl control = new BackfillControl(options.rateLimit());
        List<RepositoryBackfill<?, ?, ?>> runs = new ArrayList<>();
        Map<String, List<String>> dependencies = new LinkedHashMap<>();
        for (String name : order) {
            runs.add(newRun(sources().get(name), options, control, jobId, startedBy));
            dependencies.put(name, this.orders.getOrDefault(name, BackfillOrder.DEFAULT).dependsOn());
        }
        BackfillJob job = new BackfillJob(jobId, runs, dependencies, control, options);
        this.current = job;
        if (!order.equals(requested)) {
            logger.info("dual-write: backfill job {} runs {} in this order (asked for {})", jobId, order, requested);
        }
        Thread thread = new Thread(job::execute, "dualwrite-backfill-job");
        thread.setDaemon(true);
        thread.start();
        return job;
    }

    /**
     * Run a job and wait for it.
     * @param repositories the repositories; empty for all
     * @param options how to run
     * @return the report
     */
    public BackfillJobReport run(List<String> repositories, BackfillOptions options) {
        return start(repositories, options).await();
    }

    /** Return the job started last on this instance, running or not. */
    public Optional<BackfillJob> currentJob() {
        return Optional.ofNullable(this.current);
    }

    /** Return the durable checkpoint of every repository that has been backfilled. */
    public List<BackfillCheckpoint> checkpoints() {
        return this.checkpoints.findAll();
    }

    public Optional<BackfillCheckpoint> checkpoint(String repository) {
        return this.checkpoints.find(repository);
    }

    /**
     * List the keys set aside for a repository.
     * @param repository the repository
     * @param afterKey start after this key (paging), or {@code null}
     * @param limit at most this many
     * @return the rejects, ordered by key
     */
    public List<BackfillReject> rejects(String repository, @Nullable String afterKey, int limit) {
        source(repository);
        return this.rejects.list(repository, afterKey, limit);
    }

    public long rejectCount(String repository) {
        source(repository);
        return this.rejects.count(repository);
    }

    /**
     * Copy the rejected keys of a repository again, after their values or the mapping were
     * fixed: each key is read from Redis anew and written like a backfill batch (race-safe);
     * keys copied, or gone from Redis since, leave the rejects table, and the others stay with
     * their new reason. When the default mode or the repository's last run is a catch-up
     * ({@link BackfillMode#CATCH_UP}), a key whose row is present and differs has its row
     * brought up to date with Redis's current value, as the catch-up would have done.
     * @param repository the repository
     * @return counts of what happened
     * @throws BackfillStageException when the repository is not at stage {@code DUAL} (and the
     * default options require it, or the retry catches up)
     * @throws IllegalStateException when a catch-up retry is refused by the listener (an
     * instance does not apply {@code DUAL})
     */
    public RetryReport retryRejects(String repository) {
        BackfillSource<?, ?, ?> source = source(repository);
        boolean lastCaughtUp = this.checkpoints.find(repository)
            .map((checkpoint) -> checkpoint.mode() == BackfillMode.CATCH_UP)
            .orElse(false);
        BackfillOptions options = lastCaughtUp ? this.defaults.withMode(BackfillMode.CATCH_UP) : this.defaults;
        refuseOutsideDual(List.of(repository), options);
        if (options.catchUp()) {
            this.listener.requireCatchUp(repository, -1);
        }
        return retry(source, options.catchUp());
    }

    private <R, P, ID> RetryReport retry(BackfillSource<R, P, ID> source, boolean catchUp) {
        String runId = "retry-" + UUID.randomUUID();
        ScanSettings settings = this.defaults.scanSettings();
        long copied = 0;
        long gone = 0;
        long still = 0;
        String after = null;
        while (true) {
            List<BackfillReject> page = this.rejects.list(source.name(), after, this.defaults.batchSize());
            if (page.isEmpty()) {
                break;
            }
            after = page.get(page.size() - 1).key();
            List<String> keys = page.stream().map(BackfillReject::key).toList();
            List<ScannedEntry<R, ID>> entries = source.scanner().read(keys, settings);
            Set<String> found = new HashSet<>();
            for (ScannedEntry<R, ID> entry : entries) {
                found.add(entry.redisKey());
                String problem = entry.problem();
                if (problem == null && catchUp) {
                    problem = BatchCopier.nonCanonical(source, entry);
                }
                if (problem == null) {
                    try {
                        P row = source.repository().mapping().toPostgres(entry.entity());
                        PreparedRow<P> prepared = source.writer().prepare(source.repository().keyOf(entry.id()),
                                entry.redisKey(), row);
                        Outcome outcome = source.writer().write(List.of(prepared),
                                (k) -> source.scanner().existing(k, settings),
                                catchUp ? (k) -> BatchCopier.currentValues(source, k, settings) : null);
                        String unreadable = outcome.unreadable().get(prepared.key());
                        if (unreadable == null) {
                            this.rejects.remove(source.name(), entry.redisKey());
                            copied++;
                            continue;
                        }
                        problem = "still not copied: " + unreadable;
                    }
                    catch (RuntimeException ex) {
                        if (!BackfillErrors.isDataProblem(ex)
                                && ex instanceof DataAccessException) {
                            // A store is failing, not the value: leave the reject as it was.
                            throw ex;
                        }
                        problem = "still not copied: " + BackfillErrors.describe(ex);
                    }
                }
                this.rejects.record(source.name(), entry.redisKey(), problem, entry.rawValue(), runId);
                still++;
            }
            for (String key : keys) {
                if (!found.contains(key)) {
                    // Deleted from Redis since: a live delete took care of PostgreSQL.
                    this.rejects.remove(source.name(), key);
                    gone++;
                }
            }
        }
        RetryReport report = new RetryReport(source.name(), copied, still, gone);
        logger.info("dual-write: retried the rejects of '{}'{}: {} copied, {} still rejected, {} gone from Redis",
                source.name(), catchUp ? " (catching up present rows)" : "", copied, still, gone);
        return report;
    }

    /**
     * What a retry of rejects did.
     * @param repository the repository
     * @param copied keys copied (or already present) and removed from the rejects
     * @param stillRejected keys that still cannot be copied
     * @param gone keys no longer in Redis, removed from the rejects
     */
    public record RetryReport(String repository, long copied, long stillRejected, long gone) {
    }

    private RepositoryBackfill<?, ?, ?> newRun(BackfillSource<?, ?, ?> source, BackfillOptions options,
            BackfillControl control, String jobId, String startedBy) {
        BackfillListener listener = options.dryRun() ? BackfillListener.NONE : this.listener;
        return new RepositoryBackfill<>(source, options, control, this.checkpoints, this.rejects, this.metrics,
                this.dataSource, new StageGuard(source.name(), options, this.strategies, listener), jobId,
                new RunEvents(listener, startedBy),
                new PartitionedRun.Worker(this.workerId, this.partitions, this.leases));
    }

    private void refuseOutsideDual(List<String> repositories, BackfillOptions options) {
        // A catch-up overwrites rows: outside DUAL it would roll PostgreSQL back, whatever the option says.
        if (!options.requireDual() && !options.catchUp()) {
            return;
        }
        Map<String, WriteStrategy> outside = new LinkedHashMap<>();
        for (String repository : repositories) {
            WriteStrategy stage = this.strategies.apply(repository);
            if (stage != WriteStrategy.DUAL) {
                outside.put(repository, stage);
            }
        }
        if (!outside.isEmpty()) {
            throw new BackfillStageException(outside, options);
        }
    }

    /**
     * Check options against this PostgreSQL server before a job starts ({@link #start} does it
     * too). Every writer holds one advisory lock per key of its batch until the batch commits,
     * in the server's shared lock table, whose size is fixed at server start and which the
     * application shares: overflowing it would fail every transaction that needs a lock ("out
     * of shared memory"), so a run may take at most half of it. A dry run takes no locks.
     * @param options the options
     * @throws IllegalArgumentException when {@code batchSize x parallelism} is more than half
     * of the lock table, naming both figures
     */
    public void validate(BackfillOptions options) {
        Assert.notNull(options, "options must not be null");
        if (options.sharedByPartitions() && options.catchUp()) {
            throw new IllegalArgumentException("A partitioned backfill does not catch up yet: its sweep for rows whose "
                    + "key is gone must run once, after every partition; run the catch-up in one process, "
                    + "with dual-write.backfill.partitioned=false "
                    + "(BackfillOptions#withPartitioned(false))");
        }
        if (options.sharedByPartitions() && options.restart()) {
            throw new IllegalArgumentException("A partitioned backfill cannot restart: every worker would start the "
                    + "run anew; let the run complete (the next one starts from the beginning), or start it "
                    + "again in one process, with dual-write.backfill.partitioned=false "
                    + "(BackfillOptions#withPartitioned(false))");
        }
        long held = (long) options.batchSize() * options.parallelism();
        if (options.dryRun() || held <= lockCapacity() / 2) {
            return;
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "Batches of %d keys on %d writers hold up to %,d advisory locks at once, more than half of this "
                        + "PostgreSQL server's lock table (%,d = max_locks_per_transaction x (max_connections + "
                        + "max_prepared_transactions)), which the application shares; use smaller batches or fewer "
                        + "writers, or raise max_locks_per_transaction",
                options.batchSize(), options.parallelism(), held, lockCapacity()));
    }

    // Fixed until the server restarts: asked once.
    private long lockCapacity() {
        Long capacity = this.lockCapacity;
        if (capacity == null) {
            capacity = new JdbcTemplate(this.dataSource).queryForObject("select "
                    + "current_setting('max_locks_per_transaction')::bigint * (current_setting('max_connections')::bigint "
                    + "+ current_setting('max_prepared_transactions')::bigint)", Long.class);
            this.lockCapacity = (capacity != null) ? capacity : Long.MAX_VALUE;
            capacity = this.lockCapacity;
        }
        return capacity;
    }

    /**
     * Return the verifier's comparison in PostgreSQL through this backfill's writers:
     * PostgreSQL compares each stored row with the row the backfill would insert for a value,
     * and only the rows that may differ are loaded and compared field by field
     * ({@link PostgresComparison}).
     * @return the comparison
     */
    public PostgresComparison postgresComparison() {
        return new WriterComparison((repository) -> sources().get(repository));
    }

    BackfillSource<?, ?, ?> source(String repository) {
        BackfillSource<?, ?, ?> source = sources().get(repository);
        if (source == null) {
            throw new IllegalArgumentException("No paired repository is named '" + repository
                    + "'; paired repositories: " + repositories());
        }
        return source;
    }

    private void tick() {
        try {
            BackfillJob job = this.current;
            if (job != null) {
                job.tick();
            }
        }
        catch (RuntimeException ex) {
            logger.debug("dual-write: backfill progress tick failed", ex);
        }
    }

    /** Stop the running job, if any, and the progress ticker. */
    @Override
    public void close() {
        BackfillJob job = this.current;
        if (job != null && !job.isDone()) {
            job.stop();
            try {
                job.await(Duration.ofSeconds(30));
            }
            catch (RuntimeException ex) {
                logger.warn("dual-write: backfill job {} did not stop within 30s", job.id());
            }
        }
        this.ticker.shutdownNow();
        this.leases.shutdownNow();
    }

    /**
     * Stop renewing this worker's leases, as a worker that died would: its partitions are
     * taken over once their leases run out (for tests that stop a worker abruptly).
     */
    void stopRenewingLeases() {
        this.leases.shutdownNow();
    }

}
