package dev.dualwrite.core.control;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import dev.dualwrite.core.backfill.BackfillListener;
import dev.dualwrite.core.backfill.CheckpointStore;
import dev.dualwrite.core.control.LocalStages.Applied;
import dev.dualwrite.core.ledger.Ledger;
import dev.dualwrite.core.ledger.LedgerAction;
import dev.dualwrite.core.ledger.LedgerEntry;
import dev.dualwrite.core.repair.FailureReason;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.OldStoreRepairLog;
import dev.dualwrite.core.strategy.GateCheck;
import dev.dualwrite.core.strategy.StageCall;
import dev.dualwrite.core.strategy.StrategyChange;
import dev.dualwrite.core.strategy.StrategyChangeException;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.support.BackgroundTicker;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * The one place every stage move goes through, and the {@link StrategySource} of every
 * instance: the stage of each repository and its epoch live in the shared table
 * {@code dualwrite_stage}, configuration only seeds a repository that has none yet, and every
 * call is answered from memory.
 * <p>
 * Guarantees:
 * <ul>
 * <li>A restart, a new instance or a changed property never moves a repository; each
 * instance applies a move made elsewhere within the poll interval.</li>
 * <li>A move is accepted only when every live instance applies the current epoch, so
 * instances are never more than one stage apart; an instance acknowledges a stage only once
 * its calls begun under the previous one have ended.</li>
 * <li>Leaving {@code DUAL} forward needs a backfill completed since PostgreSQL is kept, a
 * clean full verification after it and no repair backlog; moving back to {@code DUAL} needs
 * Redis to be owed nothing and, after {@code POSTGRES_ONLY}, a clean full verification. Each
 * refusal names the condition and its figures. {@code force} overrides them only with a
 * reason, recorded in the ledger with what the conditions saw.</li>
 * <li>An instance reports the stage it applies at start-up in the transaction that reads it,
 * so no move can miss it.</li>
 * <li>Until this instance has seen every live instance apply a move from
 * {@code REDIS_PRIMARY} to {@code DUAL}, its calls say that instances writing Redis alone may
 * remain ({@link #redisOnlyWritersMayRemain}).</li>
 * <li>Every move is recorded in the {@link Ledger} in the transaction that makes it.</li>
 * <li>A background round (read the stages, heartbeat, check the agreement) is ended after
 * {@link ControlPlaneSettings#pollTimeout()}, its PostgreSQL connection aborted when the
 * {@code JdbcOperations} given use an {@link dev.dualwrite.core.store.AbortableDataSource}
 * (the starter's do), so a PostgreSQL gone silent cannot hang this instance: the first round
 * after it answers again applies the moves made meanwhile. A {@link #move} runs on the
 * caller's thread and is not time-limited.</li>
 * </ul>
 */
public class ControlPlane implements StrategySource, AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(ControlPlane.class);

    /** The actor of moves made through {@link #change}. */
    public static final String APPLICATION = "application";

    // Tries of a move whose connection failed, and the pause between two (see decideWithRetry).
    private static final int MOVE_ATTEMPTS = 5;

    private static final long MOVE_RETRY_PAUSE_MILLIS = 200;

    /** The actor of entries the library makes on its own. */
    public static final String LIBRARY = "dual-write";

    private final StageTable stages;

    private final InstanceTable instances;

    private final Gates gates;

    private final Ledger ledger;

    private final TransactionOperations transactions;

    private final CheckpointStore checkpoints;

    private final PostgresRepairLog postgresRepairLog;

    private final ControlPlaneSettings settings;

    private final WriteStrategy fallback;

    private final LocalStages local = new LocalStages();

    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();

    // The epoch up to which each repository needs no more rollback-sync check.
    private final Map<String, Long> rollbackChecked = new ConcurrentHashMap<>();

    private final Instant startedAt = Instant.now();

    private final BackgroundTicker poller;

    private volatile long lastHeartbeat;

    // Background rounds failed in a row: the first is warned of, the end of the run noted.
    private final AtomicLong failedRounds = new AtomicLong();

    /**
     * @param jdbc PostgreSQL, where the shared tables live
     * @param transactions transactions on the same data source
     * @param ledger where moves and operations are recorded
     * @param oldStoreRepairLog the keys PostgreSQL is owed, kept in the old store
     * @param postgresRepairLog the keys Redis is owed
     * @param settings how stages are shared
     * @param fallback the stage of a name that is no registered repository
     */
    public ControlPlane(JdbcOperations jdbc, TransactionOperations transactions, Ledger ledger,
            OldStoreRepairLog oldStoreRepairLog, PostgresRepairLog postgresRepairLog, ControlPlaneSettings settings,
            WriteStrategy fallback) {
        Assert.notNull(jdbc, "jdbc must not be null");
        Assert.notNull(transactions, "transactions must not be null");
        Assert.notNull(ledger, "ledger must not be null");
        Assert.notNull(oldStoreRepairLog, "oldStoreRepairLog must not be null");
        Assert.notNull(postgresRepairLog, "postgresRepairLog must not be null");
        Assert.notNull(settings, "settings must not be null");
        Assert.notNull(fallback, "fallback must not be null");
        this.stages = new StageTable(jdbc);
        this.instances = new InstanceTable(jdbc);
        this.checkpoints = new CheckpointStore(jdbc);
        this.gates = new Gates(jdbc, this.instances, this.checkpoints, oldStoreRepairLog, postgresRepairLog, settings);
        this.ledger = ledger;
        this.transactions = transactions;
        this.postgresRepairLog = postgresRepairLog;
        this.settings = settings;
        this.fallback = fallback;
        // Time-limited: on a PostgreSQL gone silent a round would block in a socket read for as
        // long as TCP waits, the instance would stop heartbeating and, once PostgreSQL answers,
        // never learn the moves made meanwhile. Ending it (its connection aborted, when the
        // JdbcOperations' DataSource is an AbortableDataSource) fails the round; the next one,
        // on a new connection, catches up.
        this.poller = new BackgroundTicker("dualwrite-control-plane", this::refreshQuietly, settings.pollInterval(),
                settings.pollInterval(), Duration.ZERO, settings.pollTimeout());
    }

    /**
     * Take a repository under shared control: store {@code configured} as its stage if it has
     * none yet (recorded in the ledger), then apply the stored stage and report it. A stored
     * stage always wins over configuration; a disagreement is logged.
     * @param repository the repository name
     * @param configured the stage configuration asks for
     * @return the stage this instance applies now
     */
    public WriteStrategy register(String repository, WriteStrategy configured) {
        Assert.hasText(repository, "repository must not be empty");
        Assert.notNull(configured, "configured must not be null");
        SharedStage stage;
        try {
            stage = seedApplyAndReport(repository, configured);
        }
        catch (BadSqlGrammarException ex) {
            throw new IllegalStateException("dual-write's tables are missing (" + ex.getSQLException().getMessage()
                    + "): apply the library's migrations (classpath:db/dualwrite) or leave dual-write.schema.migrate "
                    + "at true; every instance reads the shared stage of repository '" + repository + "' from them",
                    ex);
        }
        if (stage.strategy() != configured) {
            logger.warn("dual-write: repository '{}': configured strategy {} is ignored; the shared stage is {} "
                    + "(epoch {}, set by '{}' at {}). Move stages through the dualwrite endpoint or ControlPlane#move",
                    repository, configured, stage.strategy(), stage.epoch(), stage.changedBy(), stage.changedAt());
        }
        // At once, not at the first poll: an instance starting among others that agree would
        // otherwise take its first calls for calls made while a move spreads.
        settleIfAgreed(repository, stage);
        return stage.strategy();
    }

    // One transaction, holding the stage row until this instance has reported the stage it
    // applies: a move made meanwhile either commits first, and is read here, or finds this
    // instance's report and waits for it like any other's. Without it, a move could count
    // the instances before this one reports an older stage it goes on to apply.
    private SharedStage seedApplyAndReport(String repository, WriteStrategy configured) {
        return this.transactions.execute((status) -> {
            if (this.stages.seed(repository, configured, "configuration", "first start with dual-write")) {
                this.ledger.append(LedgerEntry.of(repository, LedgerAction.STAGE_SEEDED, "configuration")
                    .withStages(null, configured, 1)
                    .withReason("first start with dual-write: the configured stage is stored", false));
            }
            SharedStage stage = this.stages.lockShared(repository).orElseThrow();
            this.local.apply(repository, stage.strategy(), stage.epoch(), stageBefore(stage));
            heartbeat();
            return stage;
        });
    }

    // What the move to the stored stage came from, as the ledger recorded it with the move.
    private @Nullable WriteStrategy stageBefore(SharedStage stage) {
        return this.ledger.newest(stage.repository(), LedgerAction.STAGE_CHANGED)
            .filter((entry) -> entry.epoch() == stage.epoch())
            .map(LedgerEntry::from)
            .orElse(null);
    }

    @Override
    public WriteStrategy strategyFor(String repository) {
        return this.local.current(repository).map(Applied::strategy).orElse(this.fallback);
    }

    /**
     * Read the repository's stage from the shared table (not this instance's memory).
     */
    @Override
    public WriteStrategy newestStrategyFor(String repository) {
        return this.stages.find(repository).map(SharedStage::strategy).orElseGet(() -> strategyFor(repository));
    }

    /**
     * Return whether this instance applies {@code DUAL}, reached from {@code REDIS_PRIMARY},
     * and has not yet seen every live instance apply it: checked on every poll until they
     * do, then on every heartbeat.
     */
    @Override
    public boolean redisOnlyWritersMayRemain(String repository) {
        return this.local.redisOnlyWritersMayRemain(repository);
    }

    @Override
    public StageCall begin(String repository) {
        return this.local.begin(repository, this.fallback);
    }

    /**
     * Move a repository as application code asks: a forced change is recorded as such, with a
     * reason saying it came from code.
     */
    @Override
    public StrategyChange change(String repository, WriteStrategy target, boolean force) {
        return move(new StageMove(repository, target, APPLICATION,
                force ? "forced through StrategySource#change" : null, force));
    }

    /**
     * Move a repository to another stage, if every condition holds or the move is forced with
     * a reason. The move, and its ledger entry with what each condition saw, commit together;
     * this instance applies it at once (waiting up to the drain timeout for its own calls
     * under the previous stage), the others within the poll interval.
     * @param move the request
     * @return the change made (with {@code from == to} and no ledger entry when the repository
     * is at the target already)
     * @throws StrategyChangeException when refused, naming each condition that failed
     */
    public StrategyChange move(StageMove move) {
        Assert.notNull(move, "move must not be null");
        if (move.force() && !StringUtils.hasText(move.reason())) {
            throw new StrategyChangeException("Repository '" + move.repository() + "': a forced move needs a reason, "
                    + "recorded in the ledger with the conditions it overrides");
        }
        StrategyChange change = decideWithRetry(move);
        if (change.from() != change.to()) {
            logMove(change);
            this.local.apply(change.repository(), change.to(), change.epoch());
            awaitLocalDrain(change.repository(), change.epoch());
            try {
                heartbeat();
                // Settled at once when this is the only live instance.
                settleIfAgreed(change.repository(), new SharedStage(change.repository(), change.to(),
                        change.epoch(), change.at(), change.by(), change.reason()));
            }
            catch (RuntimeException ex) {
                // The move is made; the next poll reports what this instance applies.
                logger.warn("dual-write: could not report the move of repository '{}' at once ({}); reporting it "
                        + "within {}", change.repository(), FailureReason.describe(ex), this.settings.pollInterval());
            }
        }
        return change;
    }

    // A pooled connection that died (PostgreSQL restarted, a network cut) fails the first
    // statement; the pool drops it, and the move is tried again on another. After a pause the
    // pool checks the connections it hands out again (it trusts only those used a moment ago),
    // so a few tries reach a live one. Safe: a move is decided anew each time, and one that
    // did commit finds the repository at its target.
    private StrategyChange decideWithRetry(StageMove move) {
        for (int attempt = 1;; attempt++) {
            try {
                return decide(move);
            }
            catch (TransactionException | DataAccessResourceFailureException | TransientDataAccessException ex) {
                if (attempt == MOVE_ATTEMPTS) {
                    throw ex;
                }
                logger.info("dual-write: move of repository '{}' failed on its connection ({}); trying again",
                        move.repository(), FailureReason.describe(ex));
                try {
                    Thread.sleep(MOVE_RETRY_PAUSE_MILLIS);
                }
                catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw ex;
                }
            }
        }
    }

    private StrategyChange decide(StageMove move) {
        return this.transactions.execute((status) -> {
            SharedStage current = this.stages.lock(move.repository())
                .orElseThrow(() -> new StrategyChangeException("Repository '" + move.repository()
                        + "' has no shared stage: no instance has registered it"));
            if (current.strategy() == move.target()) {
                return new StrategyChange(move.repository(), current.strategy(), move.target(), false,
                        current.changedAt(), current.epoch(), current.changedBy(), current.reason(), List.of());
            }
            List<GateCheck> checks = this.gates.forMove(current, move.target());
            List<GateCheck> failed = checks.stream().filter((check) -> !check.passed()).toList();
            if (!failed.isEmpty() && !move.force()) {
                throw new StrategyChangeException("Repository '" + move.repository() + "' cannot move from "
                        + current.strategy() + " to " + move.target() + ": "
                        + failed.stream().map(GateCheck::toString).collect(Collectors.joining("; "))
                        + ". Meet the conditions, or force the move with a reason", checks);
            }
            SharedStage moved = this.stages.move(move.repository(), move.target(), move.actor(), move.reason());
            if (current.strategy() == WriteStrategy.REDIS_PRIMARY && move.target() == WriteStrategy.DUAL) {
                // Copies made before PostgreSQL was kept again may miss writes made meanwhile.
                this.checkpoints.forget(move.repository());
                // Redis alone was written since: a record saying PostgreSQL holds a newer value
                // (left by a forced move) would copy an old row over a newer Redis value.
                this.postgresRepairLog.forget(move.repository(), Store.REDIS);
            }
            LedgerEntry entry = this.ledger.append(LedgerEntry.of(move.repository(), LedgerAction.STAGE_CHANGED,
                    move.actor())
                .withStages(current.strategy(), move.target(), moved.epoch())
                .withReason(move.reason(), !failed.isEmpty())
                .withDetails(checks.stream().map(GateCheck::toString).collect(Collectors.joining("\n"))));
            return new StrategyChange(move.repository(), current.strategy(), move.target(), !failed.isEmpty(),
                    entry.at(), moved.epoch(), move.actor(), move.reason(), checks);
        });
    }

    /**
     * Check the conditions of serving a share of reads from PostgreSQL in {@code DUAL}.
     * @param repository the repository name
     * @throws StrategyChangeException naming each condition that failed
     */
    public void requireRampedReadsAllowed(String repository) {
        SharedStage current = stage(repository);
        List<GateCheck> checks = this.gates.forRampedReads(current);
        List<GateCheck> failed = checks.stream().filter((check) -> !check.passed()).toList();
        if (!failed.isEmpty()) {
            throw new StrategyChangeException("Repository '" + repository + "' cannot serve reads from PostgreSQL "
                    + "yet, its answers would be partial: "
                    + failed.stream().map(GateCheck::toString).collect(Collectors.joining("; ")), checks);
        }
    }

    /**
     * Check that every live instance applies the repository's current stage, for operations
     * that are sound only then (a backfill must not start while an instance still writes
     * Redis alone).
     * @param repository the repository name
     * @param operation what is about to start, for the message
     * @throws StrategyChangeException naming the instances that do not agree yet
     */
    public void requireAgreement(String repository, String operation) {
        GateCheck check = this.gates.instancesAgree(stage(repository));
        if (!check.passed()) {
            throw new StrategyChangeException("Repository '" + repository + "': " + operation
                    + " must wait until every instance applies the current stage: " + check.detail(), List.of(check));
        }
    }

    /**
     * Return a repository's shared stage.
     * @param repository the repository name
     * @return the stage as stored
     * @throws StrategyChangeException when no instance has registered the repository
     */
    public SharedStage stage(String repository) {
        return this.stages.find(repository)
            .orElseThrow(() -> new StrategyChangeException(
                    "Repository '" + repository + "' has no shared stage: no instance has registered it"));
    }

    /**
     * Return what every instance that registered a repository applies, live or left out.
     * @param repository the repository name
     * @return the instances, by name
     */
    public List<InstanceStage> instances(String repository) {
        return this.instances.stagesOf(repository, this.settings.instanceTimeout());
    }

    /**
     * Return this instance's name.
     * @return the instance id
     */
    public String instanceId() {
        return this.settings.instanceId();
    }

    /**
     * Return what a {@link dev.dualwrite.core.backfill.Backfill} must tell the control plane:
     * a job is refused while an instance does not apply the current stage of one of its
     * repositories, and every run's start and end are recorded in the ledger.
     * @return the listener to give the backfill
     */
    public BackfillListener backfillListener() {
        return new BackfillRecorder(this);
    }

    /**
     * Tell {@code listener} about every stage this instance applies from now on: add it
     * before the repositories register to hear their first stages too.
     * @param listener the listener
     */
    public void addStageListener(StageListener listener) {
        Assert.notNull(listener, "listener must not be null");
        this.local.addListener(listener);
    }

    /**
     * Return the ledger moves and operations are recorded in.
     * @return the ledger
     */
    public Ledger ledger() {
        return this.ledger;
    }

    /**
     * Read the shared stages now and apply those that changed, then report what this instance
     * applies (at once when an acknowledgement changed, else every heartbeat interval). Runs
     * every poll interval once {@link #start()} was called.
     */
    public void refresh() {
        Map<String, SharedStage> shared = new LinkedHashMap<>();
        this.stages.findAll().forEach((stage) -> shared.put(stage.repository(), stage));
        for (String repository : this.local.all().keySet()) {
            SharedStage stage = shared.get(repository);
            if (stage != null && this.local.apply(repository, stage.strategy(), stage.epoch())) {
                logger.info("dual-write: repository '{}' now at {} (epoch {}, set by '{}')", repository,
                        stage.strategy(), stage.epoch(), stage.changedBy());
            }
        }
        boolean due = System.nanoTime() - this.lastHeartbeat >= this.settings.heartbeatInterval().toNanos();
        if (due || acknowledgementsChanged()) {
            heartbeat();
        }
        for (String repository : this.local.all().keySet()) {
            SharedStage stage = shared.get(repository);
            if (stage != null && (due || !this.local.isSettled(repository))) {
                settleIfAgreed(repository, stage);
            }
        }
        if (due) {
            // Instances silent for a day are gone for good; their rows only clutter the view.
            this.instances.forgetSilentFor(Duration.ofDays(1).plus(this.settings.instanceTimeout()));
        }
        recordRollbackSyncs(shared);
    }

    /**
     * Start reading the shared stages every poll interval on a thread of its own; after
     * {@link #close()}, starts again.
     */
    public void start() {
        this.poller.start();
    }

    /**
     * Stop reading the shared stages and leave the agreement, so that a stopped instance does
     * not hold the next move until its heartbeat times out.
     */
    @Override
    public void close() {
        // Waited for: a heartbeat still running would bring the row back after it is removed.
        this.poller.stop();
        try {
            this.instances.remove(this.settings.instanceId());
        }
        catch (RuntimeException ex) {
            logger.warn("dual-write: instance '{}' could not leave the agreement ({}); it is left out {} after its "
                    + "last heartbeat", this.settings.instanceId(), FailureReason.describe(ex),
                    this.settings.instanceTimeout());
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        }
        catch (RuntimeException ex) {
            // PostgreSQL may be down: keep applying the stages known, try again next round. One
            // warning per outage, not one per round; the rest at debug level.
            long failed = this.failedRounds.incrementAndGet();
            if (failed == 1) {
                logger.warn("dual-write: could not read the shared stages ({}); keeping the stages applied, retrying "
                        + "every {} (rounds are ended after {}); further failures are logged at DEBUG until one "
                        + "succeeds", FailureReason.describe(ex), this.settings.pollInterval(),
                        this.settings.pollTimeout());
            }
            else {
                logger.debug("dual-write: could not read the shared stages ({}), {} rounds in a row",
                        FailureReason.describe(ex), failed);
            }
            return;
        }
        long failed = this.failedRounds.getAndSet(0);
        if (failed > 0) {
            logger.info("dual-write: reading the shared stages again after {} failed round(s)", failed);
        }
    }

    // Only for the stage applied here: after this instance's own heartbeat, which says whether
    // its calls under the previous stage have ended.
    private void settleIfAgreed(String repository, SharedStage stage) {
        boolean appliedHere = this.local.current(repository)
            .filter((applied) -> applied.epoch() == stage.epoch())
            .isPresent();
        if (appliedHere) {
            this.local.settle(repository, stage.epoch(),
                    Agreement.of(stage, this.instances.stagesOf(repository, this.settings.instanceTimeout())).agreed());
        }
    }

    private boolean acknowledgementsChanged() {
        for (String repository : this.local.all().keySet()) {
            Long epoch = this.local.acknowledged(repository).map(Applied::epoch).orElse(null);
            if (epoch != null && !epoch.equals(this.acknowledged.get(repository))) {
                return true;
            }
        }
        return false;
    }

    private synchronized void heartbeat() {
        Map<String, Applied> applied = new LinkedHashMap<>();
        for (String repository : this.local.all().keySet()) {
            this.local.acknowledged(repository).ifPresent((stage) -> applied.put(repository, stage));
        }
        this.instances.heartbeat(this.settings.instanceId(), this.settings.host(), this.startedAt, applied);
        applied.forEach((repository, stage) -> this.acknowledged.put(repository, stage.epoch()));
        this.lastHeartbeat = System.nanoTime();
    }

    private void awaitLocalDrain(String repository, long epoch) {
        long deadline = System.nanoTime() + this.settings.drainTimeout().toNanos();
        while (this.local.acknowledged(repository).map(Applied::epoch).orElse(epoch) < epoch
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // After a move back from POSTGRES_ONLY the reconciler copies the rollback log to Redis;
    // the moment Redis is owed nothing more is worth a ledger entry (the rollback sync).
    private void recordRollbackSyncs(Map<String, SharedStage> shared) {
        for (String repository : this.local.all().keySet()) {
            SharedStage stage = shared.get(repository);
            if (stage == null || stage.strategy() != WriteStrategy.POSTGRES_PRIMARY
                    || this.rollbackChecked.getOrDefault(repository, 0L) >= stage.epoch()) {
                continue;
            }
            Optional<LedgerEntry> moved = this.ledger.newest(repository, LedgerAction.STAGE_CHANGED)
                .filter((entry) -> entry.from() == WriteStrategy.POSTGRES_ONLY && entry.epoch() == stage.epoch());
            if (moved.isEmpty()) {
                this.rollbackChecked.put(repository, stage.epoch());
                continue;
            }
            if (this.postgresRepairLog.backlog(repository, this.settings.inFlightGrace()) > 0) {
                continue;
            }
            this.transactions.executeWithoutResult((status) -> {
                // Under the stage row's lock, so that two instances do not both record it.
                this.stages.lock(repository);
                boolean recorded = this.ledger.newest(repository, LedgerAction.ROLLBACK_SYNCED)
                    .filter((entry) -> entry.epoch() == stage.epoch())
                    .isPresent();
                if (!recorded) {
                    this.ledger.append(LedgerEntry.of(repository, LedgerAction.ROLLBACK_SYNCED, LIBRARY)
                        .withStages(null, stage.strategy(), stage.epoch())
                        .withResult(null, "COMPLETED", moved.get().at())
                        .withDetails("every key written in POSTGRES_ONLY has reached Redis"));
                }
            });
            this.rollbackChecked.put(repository, stage.epoch());
        }
    }

    private void logMove(StrategyChange change) {
        List<String> failed = new ArrayList<>();
        change.gates().stream().filter((check) -> !check.passed()).forEach((check) -> failed.add(check.toString()));
        if (change.forced()) {
            logger.warn("dual-write: '{}' FORCED repository '{}' from {} to {} (epoch {}), overriding: {}; reason: {}",
                    change.by(), change.repository(), change.from(), change.to(), change.epoch(), failed,
                    change.reason());
        }
        else {
            logger.info("dual-write: '{}' moved repository '{}' from {} to {} (epoch {}){}", change.by(),
                    change.repository(), change.from(), change.to(), change.epoch(),
                    (change.reason() != null) ? "; reason: " + change.reason() : "");
        }
    }

}
