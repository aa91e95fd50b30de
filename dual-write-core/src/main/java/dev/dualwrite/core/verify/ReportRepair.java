package dev.dualwrite.core.verify;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.dualwrite.core.compare.EntityComparator;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.repair.FailureReason;
import dev.dualwrite.core.routing.WriteCoordinator;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.ledger.Ledger;
import dev.dualwrite.core.ledger.LedgerAction;
import dev.dualwrite.core.ledger.LedgerEntry;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

/**
 * Fixes exactly the keys a {@link VerificationReport} lists, from the store that holds each
 * key's newest state: the primary of the strategy in force now, unless the key's repair
 * records say a write made with the other store as primary has not been copied yet (for
 * example a key written in {@code POSTGRES_ONLY} after a rollback to {@code POSTGRES_PRIMARY},
 * until the rollback sync has copied it). Each key is read again from both stores, and when
 * they still differ that store's current state is copied to the other under the key's
 * advisory lock ({@link WriteCoordinator#repairKey}, which decides the direction again under
 * the lock). A dry run only says what would be done.
 * <p>
 * Also in single-store stages, where it repairs the store that is not written: for example
 * PostgreSQL from Redis in {@code REDIS_PRIMARY} before moving to {@code DUAL} again.
 * <p>
 * A key to copy from Redis is not repaired while a move from {@code REDIS_PRIMARY} to
 * {@code DUAL} has not reached every live instance
 * ({@link StrategySource#redisOnlyWritersMayRemain}): it fails with that reason, since an
 * instance still at {@code REDIS_PRIMARY} could overwrite it in Redis alone right after.
 */
public class ReportRepair {

    private static final Logger logger = LoggerFactory.getLogger(ReportRepair.class);

    private static final String REDIS_ONLY_WRITERS_MAY_REMAIN = "not repaired: an instance may still apply "
            + "REDIS_PRIMARY and write the key to Redis alone after the repair; repair again once every live "
            + "instance applies DUAL";

    private final WriteCoordinator writes;

    private final StrategySource strategies;

    private final EntityComparator comparator;

    private final @Nullable Ledger ledger;

    /**
     * Create a repair that records nothing in a ledger.
     * @param writes copies keys under their locks
     * @param strategies the strategy in force, whose primary is authoritative
     * @param comparator compares entities of the PostgreSQL types
     */
    public ReportRepair(WriteCoordinator writes, StrategySource strategies, EntityComparator comparator) {
        this(writes, strategies, comparator, null);
    }

    /**
     * @param writes copies keys under their locks
     * @param strategies the strategy in force, whose primary is authoritative
     * @param comparator compares entities of the PostgreSQL types
     * @param ledger where repairs (not dry runs) are recorded, or {@code null} for nowhere
     */
    public ReportRepair(WriteCoordinator writes, StrategySource strategies, EntityComparator comparator,
            @Nullable Ledger ledger) {
        Assert.notNull(writes, "writes must not be null");
        Assert.notNull(strategies, "strategies must not be null");
        Assert.notNull(comparator, "comparator must not be null");
        this.writes = writes;
        this.strategies = strategies;
        this.comparator = comparator;
        this.ledger = ledger;
    }

    /**
     * Repair (or, in a dry run, plan the repair of) every key a report lists.
     * @param repository the repository the report is about
     * @param report the verification report
     * @param dryRun whether to only say what would be done
     * @return what was done (or would be) per key
     */
    public RepairOutcome repair(DualRepository<?, ?, ?> repository, VerificationReport report, boolean dryRun) {
        return repair(repository, report, dryRun, "application");
    }

    /**
     * Repair (or plan the repair of) every key a report lists on behalf of someone; a repair
     * that is not a dry run is recorded in the ledger.
     * @param repository the repository the report is about
     * @param report the verification report
     * @param dryRun whether to only say what would be done
     * @param actor who asked, as the ledger records it
     * @return what was done (or would be) per key
     */
    public RepairOutcome repair(DualRepository<?, ?, ?> repository, VerificationReport report, boolean dryRun,
            String actor) {
        Assert.notNull(repository, "repository must not be null");
        Assert.notNull(report, "report must not be null");
        Assert.isTrue(repository.name().equals(report.repository()), () -> "The report is about repository '"
                + report.repository() + "', not '" + repository.name() + "'");
        Set<String> keys = new LinkedHashSet<>();
        report.differences().forEach((difference) -> keys.add(difference.key()));
        RepairOutcome outcome = repair(repository, keys, dryRun);
        if (!dryRun && this.ledger != null) {
            this.ledger.appendQuietly(LedgerEntry.of(repository.name(), LedgerAction.REPAIRED_FROM_REPORT, actor)
                .withStages(null, outcome.strategy(), 0)
                .withResult(null, (outcome.counts().get(Action.FAILED) > 0) ? "PARTIAL" : "COMPLETED", null)
                .withDetails(keys.size() + " key(s) of the report started at " + report.startedAt() + ": "
                        + outcome.counts()));
        }
        return outcome;
    }

    /**
     * Repair (or plan the repair of) some keys.
     * @param repository the repository
     * @param keys the entity keys
     * @param dryRun whether to only say what would be done
     * @return what was done (or would be) per key
     */
    public RepairOutcome repair(DualRepository<?, ?, ?> repository, Collection<String> keys, boolean dryRun) {
        // The newest shared stage decides a key recorded in both repair logs (see repairKey).
        WriteStrategy strategy = this.strategies.newestStrategyFor(repository.name());
        List<KeyRepair> results = new ArrayList<>(keys.size());
        Map<Action, Long> counts = new EnumMap<>(Action.class);
        for (Action action : Action.values()) {
            counts.put(action, 0L);
        }
        for (String key : keys) {
            KeyRepair result = repairKey(repository, strategy, key, dryRun);
            results.add(result);
            counts.merge(result.action(), 1L, Long::sum);
        }
        logger.info("dual-write repair: repository '{}' ({}){}: {}", repository.name(), strategy,
                dryRun ? " DRY RUN" : "", counts);
        return new RepairOutcome(repository.name(), strategy, strategy.primary(), dryRun, counts, results);
    }

    private <R, P, ID> KeyRepair repairKey(DualRepository<R, P, ID> repository, WriteStrategy strategy, String key,
            boolean dryRun) {
        try {
            ID id = repository.idOf(key);
            Store source = this.writes.truthOf(repository, strategy, key);
            Optional<P> inPostgres = repository.postgres().load(id);
            Action action;
            try {
                action = plan(repository, source, repository.old().load(id), inPostgres);
            }
            catch (RuntimeException unreadable) {
                if (source == Store.REDIS) {
                    throw unreadable;
                }
                // A Redis value that does not decode, with PostgreSQL authoritative: overwrite it.
                action = inPostgres.isPresent() ? Action.UPSERT_REDIS : Action.DELETE_FROM_REDIS;
            }
            if (action == Action.NONE || dryRun) {
                return new KeyRepair(key, action, null);
            }
            if (source == Store.REDIS && this.strategies.redisOnlyWritersMayRemain(repository.name())) {
                return new KeyRepair(key, Action.FAILED, REDIS_ONLY_WRITERS_MAY_REMAIN);
            }
            WriteCoordinator.KeyCopy copy = this.writes.repairKey(repository, strategy, id);
            return new KeyRepair(key, copy.present() ? upsertOf(copy.source()) : deleteOf(copy.source()), null);
        }
        catch (RuntimeException ex) {
            logger.warn("dual-write repair: repository '{}': key '{}' could not be repaired ({})", repository.name(),
                    key, FailureReason.describe(ex));
            return new KeyRepair(key, Action.FAILED, FailureReason.describe(ex));
        }
    }

    private <R, P> Action plan(DualRepository<R, P, ?> repository, Store source, Optional<R> inRedis,
            Optional<P> inPostgres) {
        boolean inSource = (source == Store.REDIS) ? inRedis.isPresent() : inPostgres.isPresent();
        boolean inTarget = (source == Store.REDIS) ? inPostgres.isPresent() : inRedis.isPresent();
        if (!inSource) {
            return inTarget ? deleteOf(source) : Action.NONE;
        }
        if (inTarget && this.comparator
            .differingFields(repository.mapping().toPostgres(inRedis.get()), inPostgres.get())
            .isEmpty()) {
            return Action.NONE;
        }
        return upsertOf(source);
    }

    private static Action upsertOf(Store source) {
        return (source == Store.REDIS) ? Action.UPSERT_POSTGRES : Action.UPSERT_REDIS;
    }

    private static Action deleteOf(Store source) {
        return (source == Store.REDIS) ? Action.DELETE_FROM_POSTGRES : Action.DELETE_FROM_REDIS;
    }

    /** What repairing one key does. */
    public enum Action {

        /** The stores agree on the key now: nothing to do. */
        NONE,

        UPSERT_POSTGRES, DELETE_FROM_POSTGRES, UPSERT_REDIS, DELETE_FROM_REDIS,

        /** The key could not be read or written; see the error. */
        FAILED

    }

    /**
     * What was done (or would be, in a dry run) to one key.
     * @param key the entity key
     * @param action the action
     * @param error why it failed, for {@link Action#FAILED}
     */
    public record KeyRepair(String key, Action action, @Nullable String error) {
    }

    /**
     * What a repair from a report did.
     * @param repository the repository name
     * @param strategy the strategy in force
     * @param source the primary of {@code strategy}, the store keys are copied from unless
     * their repair records name the other
     * @param dryRun whether nothing was written
     * @param counts keys per action
     * @param keys what was done per key
     */
    public record RepairOutcome(String repository, WriteStrategy strategy, Store source, boolean dryRun,
            Map<Action, Long> counts, List<KeyRepair> keys) {
    }

}
