package dev.dualwrite.core.verify;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.repair.FailureReason;
import dev.dualwrite.core.repair.RepairLog;
import dev.dualwrite.core.routing.WriteCoordinator;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.support.BackgroundTicker;
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
 * PostgreSQL ({@code dualwrite_verification_lease}), renewed every third of the lease on a
 * thread of its own while the pass runs (so a single long call does not lose it); an instance
 * that loses it (it stalled beyond the lease and another took over) abandons its pass at its
 * next batch. After a pass the lease is kept for the pause, so no instance starts the next one
 * before.</li>
 * <li>Memory does not grow with the number of keys: a pass holds a scan cursor, a few batches
 * in flight and at most {@link VerifyOptions#maxDifferences()} differences.</li>
 * <li>Redis and PostgreSQL see at most {@link BackgroundVerifySettings#rate()} keys and rows
 * a second between them (plus the re-reads of differences found).</li>
 * </ul>
 * Meters, per repository: {@code dualwrite.verify.background.differences} (differences the
 * last completed pass found) and {@code dualwrite.verify.background.age} (seconds since it
 * ended); both read the store on a schedule of their own (every few seconds, whatever pass
 * runs), so they show the last pass of whichever instance ran it, and are {@code NaN} until a
 * pass has completed.
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

    // Time a stopping instance lets its pass reach its next batch before interrupting it.
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final Verifier verifier;

    private final VerificationStore store;

    private final Supplier<? extends Collection<? extends DualRepository<?, ?, ?>>> repositories;

    private final StrategySource strategies;

    private final WriteCoordinator writes;

    private final Map<Store, ? extends RepairLog> repairLogs;

    private final BackgroundVerifySettings settings;

    private final MeterRegistry registry;

    private final Map<String, Seen> lastPasses = new ConcurrentHashMap<>();

    private final Map<String, Boolean> registered = new ConcurrentHashMap<>();

    private final Object lifecycle = new Object();

    // Passes, one repository after the other; given time to end by themselves when stopped.
    private final BackgroundTicker passes;

    // The lease of the pass running, renewed on a clock of its own: a pass can spend longer than
    // the lease in one call (the counts at its start, a batch retried, re-checks).
    private final BackgroundTicker renewals;

    // The meters, read on a clock of their own: a long pass of one repository must not leave
    // the others' stale.
    private final BackgroundTicker meters;

    private volatile boolean running;

    private volatile @Nullable PassLease current;

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
        // A pass is due at the latest a tick after its pause: short ticks cost one small query
        // per repository.
        Duration tick = Duration.ofMillis(Math.max(100, Math.min(settings.pause().toMillis(), 10_000)));
        this.passes = new BackgroundTicker("dualwrite-background-verifier", this::tick, Duration.ZERO, tick,
                STOP_GRACE);
        Duration renewal = settings.lease().dividedBy(3);
        this.renewals = new BackgroundTicker("dualwrite-background-verifier-lease", this::renew, renewal, renewal,
                Duration.ZERO);
        this.meters = new BackgroundTicker("dualwrite-background-verifier-meters", this::refreshMeters,
                Duration.ZERO, Duration.ofMillis(Math.max(1000, tick.toMillis())), Duration.ZERO);
    }

    /**
     * Register the meters of every paired repository and start walking them on a thread of
     * its own; after {@link #stop()}, starts again.
     */
    public void start() {
        synchronized (this.lifecycle) {
            if (this.running) {
                return;
            }
            this.running = true;
            // At once, so that dashboards show the meters from the start (NaN until a pass).
            try {
                this.repositories.get().forEach((repository) -> register(repository.name()));
            }
            catch (RuntimeException ex) {
                logger.warn("dual-write verify: could not list the paired repositories ({}); their meters appear "
                        + "with the first refresh", FailureReason.describe(ex));
            }
            this.renewals.start();
            this.meters.start();
            this.passes.start();
        }
    }

    /**
     * Return whether passes run.
     * @return whether {@link #start()} was called and {@link #stop()} was not since
     */
    public boolean isRunning() {
        return this.running;
    }

    /**
     * Stop: a pass running is abandoned after its current batch (recorded incomplete), and its
     * lease let go so that another instance takes the repository over at once. A pass that
     * does not end within 30 seconds is interrupted; its lease is let go all the same.
     */
    public void stop() {
        synchronized (this.lifecycle) {
            if (!this.running) {
                return;
            }
            this.running = false;
            if (!this.passes.stop()) {
                PassLease stuck = this.current;
                if (stuck != null && stuck.end()) {
                    release(stuck.repository);
                }
            }
            this.renewals.stop();
            this.meters.stop();
        }
    }

    /**
     * Stop, as {@link #stop()}.
     */
    @Override
    public void close() {
        stop();
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
     * as this instance read it last (every few seconds, and after each of its passes).
     * @param repository the repository name
     * @return the pass, its age as of this call, or empty when none has completed
     */
    public Optional<LastPass> lastPass(String repository) {
        return Optional.ofNullable(this.lastPasses.get(repository)).map(Seen::now);
    }

    private void tick() {
        Collection<? extends DualRepository<?, ?, ?>> all;
        try {
            all = this.repositories.get();
        }
        catch (RuntimeException ex) {
            logger.warn("dual-write verify: could not list the paired repositories ({}); trying again later",
                    FailureReason.describe(ex));
            return;
        }
        for (DualRepository<?, ?, ?> repository : all) {
            if (!this.running) {
                return;
            }
            try {
                runIfDue(repository);
            }
            catch (RuntimeException ex) {
                // PostgreSQL may be down: try again next tick.
                logger.warn("dual-write verify: background verification of repository '{}' failed ({}); "
                        + "trying again later", repository.name(), FailureReason.describe(ex));
            }
        }
    }

    private void refreshMeters() {
        for (DualRepository<?, ?, ?> repository : this.repositories.get()) {
            try {
                register(repository.name());
                refresh(repository.name());
            }
            catch (RuntimeException ex) {
                logger.debug("dual-write verify: could not read the last background pass of repository '{}' ({})",
                        repository.name(), FailureReason.describe(ex));
            }
        }
    }

    private void runIfDue(DualRepository<?, ?, ?> repository) {
        String name = repository.name();
        if (!this.strategies.strategyFor(name).writesBoth()
                || !this.store.takeLease(name, this.settings.instanceId(), this.settings.lease())) {
            return;
        }
        PassLease lease = new PassLease(name);
        this.current = lease;
        try {
            VerificationReport report = this.verifier.verify(repository, this.settings.options(),
                    pacing(name, lease), actor(), UUID.randomUUID().toString(), true);
            if (report.error() == null && this.settings.repairDifferences() && !report.differences().isEmpty()) {
                queue(repository, report);
            }
            this.store.pruneBackground(name, KEEP_PASSES);
            refresh(name);
        }
        finally {
            this.current = null;
            // Kept through the pause: the next pass, on whichever instance, starts after it.
            // Stopping lets it go at once. A lease lost is another instance's now.
            if (lease.end()) {
                if (this.running) {
                    this.store.holdLease(name, this.settings.instanceId(), this.settings.pause());
                }
                else {
                    release(name);
                }
            }
        }
    }

    private void release(String repository) {
        try {
            this.store.holdLease(repository, this.settings.instanceId(), Duration.ZERO);
        }
        catch (RuntimeException ex) {
            logger.warn("dual-write verify: instance '{}' could not let go of the background verification lease of "
                    + "repository '{}' ({}); another instance takes it over when it lapses, within {}",
                    this.settings.instanceId(), repository, FailureReason.describe(ex), this.settings.lease());
        }
    }

    private void renew() {
        PassLease lease = this.current;
        if (lease != null) {
            lease.renew();
        }
    }

    // Called on the verifying thread between batches (the reader and the pager are at most a
    // few batches ahead of it): waiting here paces the whole pass. Throwing ends the pass,
    // recorded as incomplete.
    private Consumer<VerificationProgress> pacing(String repository, PassLease lease) {
        return new Consumer<>() {

            private final long ratePerRowNanos = (BackgroundVerifier.this.settings.rate() > 0)
                    ? (long) (1e9 / BackgroundVerifier.this.settings.rate()) : 0;

            private long seen;

            private long nextFree = System.nanoTime();

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
                if (!BackgroundVerifier.this.running) {
                    throw new IllegalStateException("the background verifier of instance '"
                            + BackgroundVerifier.this.settings.instanceId() + "' stopped");
                }
                WriteStrategy stage = BackgroundVerifier.this.strategies.strategyFor(repository);
                if (!stage.writesBoth()) {
                    throw new IllegalStateException("repository '" + repository + "' moved to " + stage
                            + ", where only one store is kept");
                }
                if (lease.lost) {
                    throw new IllegalStateException("instance '" + BackgroundVerifier.this.settings.instanceId()
                            + "' lost the lease of the background verification to "
                            + BackgroundVerifier.this.store.leaseHolder(repository).orElse("nobody"));
                }
            }

        };
    }

    // Each key goes to the log of the store that is behind, as the reconciler and repair from a
    // report would copy it: from the store that holds the key's newest state.
    private void queue(DualRepository<?, ?, ?> repository, VerificationReport report) {
        WriteStrategy stage = this.strategies.newestStrategyFor(repository.name());
        if (stage != report.strategy()) {
            // Which store is behind was decided under the pass's stage: a difference found in
            // DUAL and queued in POSTGRES_PRIMARY would overwrite Redis from a PostgreSQL that
            // was behind. The next pass finds what is still different.
            logger.warn("dual-write verify: repository '{}' moved from {} to {} during the background pass; "
                    + "its {} difference(s) are not queued for repair, the next pass finds them again",
                    repository.name(), report.strategy(), stage, report.differences().size());
            return;
        }
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
        last.ifPresentOrElse((pass) -> this.lastPasses.put(repository, new Seen(pass, System.nanoTime())),
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
        Seen last = this.lastPasses.get(repository);
        return (last != null) ? last.pass().differences() : Double.NaN;
    }

    private double age(String repository) {
        Seen last = this.lastPasses.get(repository);
        return (last != null) ? last.now().age().toMillis() / 1000.0 : Double.NaN;
    }

    /**
     * A completed background pass, as the meters show it.
     * @param id the run id (its report: {@link VerificationStore#report})
     * @param finishedAt when it ended, by PostgreSQL's clock
     * @param differences the differences it found
     * @param age time since it ended: PostgreSQL's clock when read, plus the time elapsed since
     * on this instance, so that no two clocks are compared
     */
    public record LastPass(String id, Instant finishedAt, long differences, Duration age) {
    }

    // A pass as read, and when (this JVM's monotonic clock).
    private record Seen(LastPass pass, long readNanos) {

        LastPass now() {
            return new LastPass(this.pass.id(), this.pass.finishedAt(), this.pass.differences(),
                    this.pass.age().plusNanos(Math.max(0, System.nanoTime() - this.readNanos)));
        }

    }

    // The lease of one pass, renewed by the renewal ticker while the pass runs. Lost when
    // another instance took it over (this one stalled beyond the lease) or when it could not be
    // renewed for a whole lease: the pass stops at its next batch.
    private final class PassLease {

        private final String repository;

        private volatile boolean lost;

        private boolean ended;

        private long renewedNanos = System.nanoTime();

        PassLease(String repository) {
            this.repository = repository;
        }

        // Synchronized with end(): a renewal after the pass ended would overwrite the pause.
        synchronized void renew() {
            if (this.ended || this.lost) {
                return;
            }
            BackgroundVerifySettings settings = BackgroundVerifier.this.settings;
            try {
                if (BackgroundVerifier.this.store.renewLease(this.repository, settings.instanceId(), settings.lease())) {
                    this.renewedNanos = System.nanoTime();
                }
                else {
                    this.lost = true;
                    logger.warn("dual-write verify: instance '{}' lost the background verification lease of "
                            + "repository '{}' to another instance; abandoning its pass", settings.instanceId(),
                            this.repository);
                }
            }
            catch (RuntimeException ex) {
                if (System.nanoTime() - this.renewedNanos >= settings.lease().toNanos()) {
                    this.lost = true;
                }
                logger.warn("dual-write verify: instance '{}' could not renew the background verification lease of "
                        + "repository '{}' ({}){}", settings.instanceId(), this.repository, FailureReason.describe(ex),
                        this.lost ? "; it lapsed, abandoning the pass" : "; trying again");
            }
        }

        /** End the pass's hold; true when the lease is still this instance's to keep or let go. */
        synchronized boolean end() {
            if (this.ended) {
                return false;
            }
            this.ended = true;
            return !this.lost;
        }

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
