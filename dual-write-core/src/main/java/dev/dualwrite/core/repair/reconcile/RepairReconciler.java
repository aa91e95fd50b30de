package dev.dualwrite.core.repair.reconcile;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.repair.ClaimableRepairLog;
import dev.dualwrite.core.repair.FailureReason;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.repair.RepairClaim;
import dev.dualwrite.core.routing.WriteCoordinator;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.support.BackgroundTicker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

/**
 * Drains repair records in the background until both stores agree: for each recorded key it
 * copies the current state of the store that holds the key's newest write to the other store,
 * under the key's advisory lock ({@link WriteCoordinator#repairKey}), then removes the record
 * only if it was not recorded again meanwhile.
 * <p>
 * Safe with several instances: records are claimed with a lease before they are repaired,
 * so no key is repaired by two instances at once, and a record is removed by compare-and-
 * delete, so none is forgotten. A key whose repair fails is put back with a backoff that
 * doubles per failure.
 * <p>
 * A record names the store that holds the truth for its key: the one it is kept in, the
 * primary of the write that left it. Each is drained from that store, whatever stage the
 * draining instance stands on, so instances on adjacent stages never repair a key backwards;
 * a key recorded in both logs is drained from the primary of the stage in force. In a
 * single-store stage ({@code REDIS_PRIMARY}, {@code POSTGRES_ONLY}) the other store is not
 * kept, so records are left alone until a two-store stage returns: in {@code POSTGRES_ONLY}
 * they are the rollback log, the keys Redis is owed when the repository moves back.
 * <p>
 * Claiming from the Redis log first turns the write intents of interrupted {@code DUAL}
 * writes (older than the grace) into records ({@link RedisRepairLog#recordInterruptedWrites}),
 * so a process killed between its Redis write and its PostgreSQL copy is repaired like a
 * failed copy.
 * <p>
 * The keys PostgreSQL is owed wait while a move from {@code REDIS_PRIMARY} to {@code DUAL}
 * has not reached every live instance ({@link StrategySource#redisOnlyWritersMayRemain}): one
 * still at {@code REDIS_PRIMARY} writes Redis alone, without the key's lock, and could
 * overtake a repair with nothing left to say so. Once every live instance applies
 * {@code DUAL}, they are drained as usual.
 * <p>
 * A background round is ended at the claims' lease: a store gone silent fails the round
 * rather than holding the reconciler until TCP gives up.
 */
public class RepairReconciler implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(RepairReconciler.class);

    private static final int MAX_BATCHES_PER_ROUND = 100;

    private final Supplier<? extends Collection<? extends DualRepository<?, ?, ?>>> repositories;

    private final StrategySource strategies;

    private final WriteCoordinator writes;

    private final Map<Store, ClaimableRepairLog> logs;

    private final RepairSettings settings;

    private final RepairMetrics metrics;

    private final String owner;

    private final BackgroundTicker drainer;

    // The repair logs ("repository/store") whose last drain failed: warned of once per outage.
    private final Set<String> unreachableLogs = ConcurrentHashMap.newKeySet();

    /**
     * @param repositories the paired repositories, asked for on every round
     * @param strategies the strategy in force per repository
     * @param writes carries out each repair under the key's lock
     * @param logs the repair log of each store to repair ({@code POSTGRES}: the Redis log,
     * {@code REDIS}: the PostgreSQL log)
     * @param settings interval, batch size, lease and backoff
     * @param metrics where repairs are counted
     * @param owner this instance's name in claims, unique among running instances
     */
    public RepairReconciler(Supplier<? extends Collection<? extends DualRepository<?, ?, ?>>> repositories,
            StrategySource strategies, WriteCoordinator writes, Map<Store, ClaimableRepairLog> logs,
            RepairSettings settings, RepairMetrics metrics, String owner) {
        Assert.notNull(repositories, "repositories must not be null");
        Assert.notNull(strategies, "strategies must not be null");
        Assert.notNull(writes, "writes must not be null");
        Assert.notNull(logs, "logs must not be null");
        Assert.notNull(settings, "settings must not be null");
        Assert.notNull(metrics, "metrics must not be null");
        Assert.hasText(owner, "owner must not be empty");
        this.repositories = repositories;
        this.strategies = strategies;
        this.writes = writes;
        this.logs = Map.copyOf(logs);
        this.settings = settings;
        this.metrics = metrics;
        this.owner = owner;
        // A round is ended at the lease: its claims lapse then anyway, and on a PostgreSQL gone
        // silent a claim would otherwise block in a socket read for as long as TCP waits (its
        // connection is aborted when the log's DataSource is an AbortableDataSource). The
        // records stay; the next round, on a new connection, claims them again.
        this.drainer = new BackgroundTicker("dualwrite-reconciler", this::drainQuietly, settings.interval(),
                settings.interval(), Duration.ZERO, settings.lease());
    }

    /**
     * Start draining every {@link RepairSettings#interval()} on a thread of its own; after
     * {@link #close()}, starts again.
     */
    public void start() {
        synchronized (this.drainer) {
            if (this.drainer.isRunning()) {
                return;
            }
            this.drainer.start();
            logger.info("dual-write: reconciler '{}' drains repair records every {}", this.owner,
                    this.settings.interval());
        }
    }

    /**
     * Return whether background draining runs.
     * @return whether {@link #start()} was called and {@link #close()} was not since
     */
    public boolean isRunning() {
        return this.drainer.isRunning();
    }

    /**
     * Stop draining; a round in progress is interrupted and finishes its current key, its
     * unfinished claims lapse with their lease.
     */
    @Override
    public void close() {
        this.drainer.stop();
    }

    /**
     * Drain every repository once, now, on the caller's thread: claim and repair records in
     * batches until none is claimable.
     * @return what was done
     */
    public DrainResult drainOnce() {
        DrainResult total = DrainResult.NONE;
        for (DualRepository<?, ?, ?> repository : this.repositories.get()) {
            total = total.plus(drain(repository));
        }
        this.metrics.invalidate();
        return total;
    }

    /**
     * Drain one repository once, now, on the caller's thread.
     * @param repository the repository
     * @return what was done
     */
    public DrainResult drain(DualRepository<?, ?, ?> repository) {
        Assert.notNull(repository, "repository must not be null");
        DrainResult result = DrainResult.NONE;
        if (!this.strategies.strategyFor(repository.name()).writesBoth()) {
            // The other store is not kept in this stage: records wait for a two-store stage.
            return result;
        }
        for (Map.Entry<Store, ClaimableRepairLog> entry : this.logs.entrySet()) {
            if (entry.getKey() == Store.POSTGRES && this.strategies.redisOnlyWritersMayRemain(repository.name())) {
                // An instance still at REDIS_PRIMARY could write a key to Redis alone right
                // after its repair, and nothing would say so.
                continue;
            }
            String log = repository.name() + "/" + entry.getKey();
            try {
                result = result.plus(drain(repository, entry.getKey(), entry.getValue()));
                if (this.unreachableLogs.remove(log)) {
                    logger.info("dual-write: repository '{}': draining the repair records of {} again",
                            repository.name(), entry.getKey());
                }
            }
            catch (RuntimeException ex) {
                // The log lives in one of the stores, which may be down: try again next round,
                // warning once per outage rather than every round.
                if (this.unreachableLogs.add(log)) {
                    logger.warn("dual-write: repository '{}': could not drain the repair records of {} ({}); "
                            + "retrying every {}, further failures logged at DEBUG until it succeeds",
                            repository.name(), entry.getKey(), FailureReason.describe(ex), this.settings.interval());
                }
                else {
                    logger.debug("dual-write: repository '{}': could not drain the repair records of {} ({})",
                            repository.name(), entry.getKey(), FailureReason.describe(ex));
                }
                result = result.plus(new DrainResult(0, 0, 1));
            }
        }
        if (result.repaired() > 0 || result.failed() > 0) {
            logger.info("dual-write: repository '{}': repaired {} key(s), {} failed (retried with backoff)",
                    repository.name(), result.repaired(), result.failed());
        }
        return result;
    }

    private DrainResult drain(DualRepository<?, ?, ?> repository, Store target, ClaimableRepairLog log) {
        int repaired = 0;
        int failed = 0;
        // Bounded, so that keys recorded again and again by live writes cannot hold the round.
        for (int batch = 0; batch < MAX_BATCHES_PER_ROUND && !Thread.currentThread().isInterrupted(); batch++) {
            List<RepairClaim> claims = log.claim(repository.name(), this.owner, this.settings.batchSize(),
                    this.settings.lease(), this.settings.minAge());
            for (int i = 0; i < claims.size(); i++) {
                Outcome outcome = repair(repository, target, log, claims.get(i));
                if (outcome == Outcome.LEFT) {
                    // The stage moved to one store meanwhile: give the rest back untouched.
                    claims.subList(i + 1, claims.size()).forEach((claim) -> releaseQuietly(log, claim, Duration.ZERO));
                    return new DrainResult(repaired, failed, 0);
                }
                if (outcome == Outcome.REPAIRED) {
                    repaired++;
                }
                else {
                    failed++;
                }
            }
            if (claims.size() < this.settings.batchSize()) {
                break;
            }
        }
        return new DrainResult(repaired, failed, 0);
    }

    private Outcome repair(DualRepository<?, ?, ?> repository, Store target, ClaimableRepairLog log,
            RepairClaim claim) {
        // Read the strategy per key: it may have moved since the round started.
        WriteStrategy strategy = this.strategies.strategyFor(repository.name());
        if (!strategy.writesBoth()) {
            releaseQuietly(log, claim, Duration.ZERO);
            return Outcome.LEFT;
        }
        try {
            copy(repository, claim.key());
        }
        catch (RuntimeException ex) {
            Duration backoff = this.settings.backoffAfter(claim.repairFailures());
            this.metrics.recordFailed(repository.name(), target);
            logger.warn("dual-write: repository '{}': repair of key '{}' ({} behind) failed ({}); next try in {}",
                    repository.name(), claim.key(), target, FailureReason.describe(ex), backoff);
            releaseQuietly(log, claim, backoff);
            return Outcome.FAILED;
        }
        // The stores agree on the key now; the record goes unless the key was recorded again
        // meanwhile, in which case it stays for another pass.
        log.complete(claim);
        this.metrics.recordRepaired(repository.name(), target);
        return Outcome.REPAIRED;
    }

    // The newest shared stage, not this instance's: when both logs hold the key, its primary
    // wrote last, and this instance may still stand on the older of two adjacent stages.
    private <R, P, ID> void copy(DualRepository<R, P, ID> repository, String key) {
        this.writes.repairKey(repository, this.strategies.newestStrategyFor(repository.name()), repository.idOf(key));
    }

    private void releaseQuietly(ClaimableRepairLog log, RepairClaim claim, Duration backoff) {
        try {
            log.release(claim, backoff);
        }
        catch (RuntimeException ex) {
            // The claim then lapses with its lease: the key is tried again, only later.
            logger.debug("Could not release the claim of key '{}'", claim.key(), ex);
        }
    }

    private void drainQuietly() {
        try {
            drainOnce();
        }
        catch (RuntimeException ex) {
            logger.warn("dual-write: reconciler round failed ({}); retrying in {}", FailureReason.describe(ex),
                    this.settings.interval());
        }
    }

    private enum Outcome {

        REPAIRED, FAILED, LEFT

    }

    /**
     * What one drain did.
     * @param repaired keys brought in line
     * @param failed keys whose repair failed and that were put back with a backoff
     * @param unreachableLogs repair logs that could not be read
     */
    public record DrainResult(int repaired, int failed, int unreachableLogs) {

        static final DrainResult NONE = new DrainResult(0, 0, 0);

        DrainResult plus(DrainResult other) {
            return new DrainResult(this.repaired + other.repaired, this.failed + other.failed,
                    this.unreachableLogs + other.unreachableLogs);
        }

    }

}
