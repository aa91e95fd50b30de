package dev.dualwrite.core.verify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.dualwrite.core.repair.FailureReason;
import dev.dualwrite.core.repair.RepairLog;
import dev.dualwrite.core.routing.DualRepository;
import dev.dualwrite.core.routing.WriteCoordinator;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

/**
 * Verifies every repository whose stage keeps both stores again and again, without being
 * asked: each pass is a full {@link Verifier verification}, read in small batches at a
 * throttled rate, recorded in the ledger and the {@link VerificationStore} like an operator's
 * (so a clean pass after the backfill satisfies the promotion gate like one), and optionally
 * queues each difference it confirmed for the reconciler.
 * <p>
 * Guarantees:
 * <ul>
 * <li>One pass of a repository at a time across instances: a pass runs under a lease in
 * PostgreSQL ({@code dualwrite_verification_lease}), renewed while it runs; an instance that
 * loses it (it stalled beyond the lease and another took over) abandons its pass. After a
 * pass the lease is kept for the pause, so no instance starts the next one before.</li>
 * <li>Memory does not grow with the number of keys: a pass holds a scan cursor, a few batches
 * in flight and at most {@link VerifyOptions#maxDifferences()} differences.</li>
 * <li>Redis and PostgreSQL see at most {@link BackgroundVerifySettings#rate()} keys and rows
 * a second between them (plus the re-reads of differences found).</li>
 * </ul>
 * Meters, per repository: {@code dualwrite.verify.background.differences} (differences the
 * last completed pass found) and {@code dualwrite.verify.background.age} (seconds since it
 * ended); both read the store, so they show the last pass of whichever instance ran it, and
 * are {@code NaN} until a pass has completed.
 */
public class BackgroundVerifier implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(BackgroundVerifier.class);

    /** The start of the actor the ledger and reports show for a background pass. */
    public static final String ACTOR = "dual-write background verifier";

    public static final String DIFFERENCES = "dualwrite.verify.background.differences";

    public static final String AGE = "dualwrite.verify.background.age";

    // Background passes kept in the store per repository; the ledger keeps every one.
    private static final int KEEP_PASSES = 50;

    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Verifier verifier;

    private final VerificationStore store;

    private final Supplier<? extends Collection<? extends DualRepository<?, ?, ?>>> repositories;

    private final StrategySource strategies;

    private final WriteCoordinator writes;

    private final Map<Store, ? extends RepairLog> repairLogs;

    private final BackgroundVerifySettings settings;

    private final MeterRegistry registry;

    private final Clock clock;

    private final Map<String, LastPass> lastPasses = new ConcurrentHashMap<>();

    private final Map<String, Boolean> registered = new ConcurrentHashMap<>();

    private final Object lifecycle = new Object();

    private volatile boolean closed;

    private @Nullable ScheduledExecutorService scheduler;

    /**
     * @param verifier runs each pass; must keep its reports in a {@link VerificationStore}
     * @param repositories the paired repositories
     * @param strategies the stage of each repository
     * @param writes says which store holds a key's truth (see {@link WriteCoordinator#truthOf})
     * @param repairLogs the repair log of each store to repair, where differences are queued
     * @param settings how passes run
     * @param registry where the meters go
     */
    public BackgroundVerifier(Verifier verifier,
            Supplier<? extends Collection<? extends DualRepository<?, ?, ?>>> repositories,
            StrategySource strategies, WriteCoordinator writes, Map<Store, ? extends RepairLog> repairLogs,
            BackgroundVerifySettings settings, MeterRegistry registry) {
        Assert.notNull(verifier, "verifier must not be null");
        Assert.notNull(verifier.store(), "verifier must keep its reports in a VerificationStore");
        Assert.notNull(repositories, "repositories must not be null");
        Assert.notNull(strategies, "strategies must not be null");
        Assert.notNull(writes, "writes must not be null");
        Assert.notNull(repairLogs, "repairLogs must not be null");
        Assert.notNull(settings, "settings must not be null");
        Assert.notNull(registry, "registry must not be null");
        this.verifier = verifier;
        this.store = verifier.store();
        this.repositories = repositories;
        this.strategies = strategies;
        this.writes = writes;
        this.repairLogs = Map.copyOf(repairLogs);
        this.settings = settings;
        this.registry = registry;
        this.clock = Clock.systemUTC();
    }

    /**
     * Register the meters of every paired repository and start walking them on a thread of
     * its own.
     */
    public void start() {
        synchronized (this.lifecycle) {
            if (this.scheduler != null || this.closed) {
                return;
            }
            this.repositories.get().forEach((repository) -> register(repository.name()));
            ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
                Thread thread = new Thread(task, "dualwrite-background-verifier");
                thread.setDaemon(true);
                return thread;
            });
            // A pass is due at the latest a tick after its pause: short ticks cost one small
            // query per repository.
            long tick = Math.max(100, Math.min(this.settings.pause().toMillis(), 10_000));
            executor.scheduleWithFixedDelay(this::tick, 0, tick, TimeUnit.MILLISECONDS);
            this.scheduler = executor;
        }
    }

    /**
     * Stop: a pass running is abandoned after its current batch, and its lease let go so that
     * another instance takes the repository over at once.
     */
    @Override
    public void close() {
        ScheduledExecutorService executor;
        synchronized (this.lifecycle) {
            this.closed = true;
            executor = this.scheduler;
            this.scheduler = null;
        }
        if (executor != null) {
            // Not interrupted: the pass stops between batches, and still records how it ended.
            executor.shutdown();
            try {
                if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                    executor.shutdownNow();
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                executor.shutdownNow();
            }
        }
    }

    /**
     * Return the actor of this instance's passes, as the ledger and reports show it.
     * @return the actor
     */
    public String actor() {
        return ACTOR + " on " + this.settings.instanceId();
    }

    /**
     * Return what the last completed pass of a repository found, whichever instance ran it,
     * as this instance read it last (every tick).
     * @param repository the repository name
     * @return the pass, or empty when none has completed
     */
    public Optional<LastPass> lastPass(String repository) {
        return Optional.ofNullable(this.lastPasses.get(repository));
    }

    private void tick() {
        for (DualRepository<?, ?, ?> repository : this.repositories.get()) {
            if (this.closed) {
                return;
            }
            try {
                register(repository.name());
                refresh(repository.name());
                runIfDue(repository);
            }
            catch (RuntimeException ex) {
                // PostgreSQL may be down: try again next tick.
                logger.warn("dual-write verify: background verification of repository '{}' failed ({}); "
                        + "trying again later", repository.name(), FailureReason.describe(ex));
            }
        }
    }

    private void runIfDue(DualRepository<?, ?, ?> repository) {
        String name = repository.name();
        if (!this.strategies.strategyFor(name).writesBoth()
                || !this.store.takeLease(name, this.settings.instanceId(), this.settings.lease())) {
            return;
        }
        try {
            VerificationReport report = this.verifier.verify(repository, this.settings.options(), pacing(name),
                    actor(), UUID.randomUUID().toString(), true);
            if (report.error() == null && this.settings.repairDifferences() && !report.differences().isEmpty()) {
                queue(repository, report);
            }
            this.store.pruneBackground(name, KEEP_PASSES);
            refresh(name);
        }
        finally {
            // Kept through the pause: the next pass, on whichever instance, starts after it.
            // Stopping lets it go at once.
            this.store.holdLease(name, this.settings.instanceId(), this.closed ? Duration.ZERO : this.settings.pause());
        }
    }

    // Called on the verifying thread between batches (the reader and the pager are at most a
    // few batches ahead of it): waiting here paces the whole pass. Throwing ends the pass,
    // recorded as incomplete.
    private Consumer<VerificationProgress> pacing(String repository) {
        return new Consumer<>() {

            private final long ratePerRowNanos = (BackgroundVerifier.this.settings.rate() > 0)
                    ? (long) (1e9 / BackgroundVerifier.this.settings.rate()) : 0;

            private long seen;

            private long nextFree = System.nanoTime();

            private long renewed = System.nanoTime();

            @Override
            public void accept(VerificationProgress progress) {
                long rows = progress.redisKeys() + progress.postgresRows();
                this.nextFree = Math.max(this.nextFree, System.nanoTime()) + (rows - this.seen) * this.ratePerRowNanos;
                this.seen = rows;
                do {
                    check();
                    long wait = Math.min(this.nextFree - System.nanoTime(), SLICE_NANOS);
                    if (wait > 0) {
                        sleep(wait);
                    }
                }
                while (this.nextFree > System.nanoTime());
            }

            private void check() {
                if (BackgroundVerifier.this.closed) {
                    throw new IllegalStateException("the background verifier of instance '"
                            + BackgroundVerifier.this.settings.instanceId() + "' stopped");
                }
                WriteStrategy stage = BackgroundVerifier.this.strategies.strategyFor(repository);
                if (!stage.writesBoth()) {
                    throw new IllegalStateException("repository '" + repository + "' moved to " + stage
                            + ", where only one store is kept");
                }
                long now = System.nanoTime();
                if (now - this.renewed >= BackgroundVerifier.this.settings.lease().toNanos() / 3) {
                    if (!BackgroundVerifier.this.store.renewLease(repository,
                            BackgroundVerifier.this.settings.instanceId(), BackgroundVerifier.this.settings.lease())) {
                        throw new IllegalStateException("instance '" + BackgroundVerifier.this.settings.instanceId()
                                + "' lost the lease of the background verification to "
                                + BackgroundVerifier.this.store.leaseHolder(repository).orElse("nobody"));
                    }
                    this.renewed = now;
                }
            }

        };
    }

    // Each key goes to the log of the store that is behind, as the reconciler and repair from a
    // report would copy it: from the store that holds the key's newest state.
    private void queue(DualRepository<?, ?, ?> repository, VerificationReport report) {
        WriteStrategy stage = this.strategies.newestStrategyFor(repository.name());
        if (!stage.writesBoth()) {
            return;
        }
        int queued = 0;
        int skipped = 0;
        for (Difference difference : report.differences()) {
            Store truth = this.writes.truthOf(repository, stage, difference.key());
            if (difference.kind() == DifferenceKind.UNREADABLE_IN_REDIS && truth == Store.REDIS) {
                // Nothing to copy from: an operator must look at the value.
                skipped++;
                continue;
            }
            Store behind = (truth == Store.REDIS) ? Store.POSTGRES : Store.REDIS;
            this.repairLogs.get(behind).recordFailure(repository.name(), difference.key(), behind,
                    "found by the background verification: " + difference.kind());
            queued++;
        }
        logger.info("dual-write verify: repository '{}': queued {} difference(s) of the background pass for repair{}",
                repository.name(), queued, (skipped > 0) ? "; " + skipped
                        + " value(s) unreadable in Redis, which holds the truth, need an operator" : "");
    }

    private void refresh(String repository) {
        Optional<LastPass> last = this.store.lastBackgroundPass(repository);
        last.ifPresentOrElse((pass) -> this.lastPasses.put(repository, pass),
                () -> this.lastPasses.remove(repository));
    }

    private void register(String repository) {
        if (this.registered.putIfAbsent(repository, Boolean.TRUE) != null) {
            return;
        }
        Gauge.builder(DIFFERENCES, this, (self) -> self.differences(repository))
            .description("Differences found by the last completed background verification pass")
            .tag("repository", repository)
            .register(this.registry);
        Gauge.builder(AGE, this, (self) -> self.age(repository))
            .description("Time since the last completed background verification pass ended")
            .tag("repository", repository)
            .baseUnit("seconds")
            .register(this.registry);
    }

    private double differences(String repository) {
        LastPass last = this.lastPasses.get(repository);
        return (last != null) ? last.differences() : Double.NaN;
    }

    private double age(String repository) {
        LastPass last = this.lastPasses.get(repository);
        return (last != null) ? Math.max(0, this.clock.millis() - last.finishedAt().toEpochMilli()) / 1000.0
                : Double.NaN;
    }

    /**
     * A completed background pass, as the meters show it.
     * @param id the run id (its report: {@link VerificationStore#report})
     * @param finishedAt when it ended
     * @param differences the differences it found
     */
    public record LastPass(String id, Instant finishedAt, long differences) {
    }

    private static void sleep(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Background verification interrupted", ex);
        }
    }

}
