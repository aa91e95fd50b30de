package dev.dualwrite.core.verify;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.dualwrite.core.compare.EntityComparator;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.repair.FailureReason;
import dev.dualwrite.core.repair.RepairLog;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.ledger.Ledger;
import dev.dualwrite.core.ledger.LedgerAction;
import dev.dualwrite.core.ledger.LedgerEntry;
import dev.dualwrite.core.strategy.StrategySource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * both stores, under the key's advisory lock, after a settle delay, and once more after
 * another: it is reported only if the stores still differ and one of them still holds the
 * value it held at the first (otherwise a write's copy landed and the key is being written
 * again).
 */
public class Verifier {

    private static final Logger logger = LoggerFactory.getLogger(Verifier.class);

    private final OldStoreScanners scanners;

    private final EntityComparator comparator;

    private final StrategySource strategies;

    private final Map<Store, ? extends RepairLog> repairLogs;

    private final Clock clock;

    private final @Nullable Ledger ledger;

    private final @Nullable VerificationStore store;

    private volatile @Nullable PostgresComparison postgresComparison;

    /**
     * Create a verifier that records nothing in a ledger.
     * @param scanners scanners of each repository's old store
     * @param comparator compares entities of the PostgreSQL types
     * @param strategies the strategy in force (recorded in reports)
     * @param repairLogs the repair log of each store to repair (pending counts in reports)
     */
    public Verifier(OldStoreScanners scanners, EntityComparator comparator, StrategySource strategies,
            Map<Store, ? extends RepairLog> repairLogs) {
        this(scanners, comparator, strategies, repairLogs, null);
    }

    /**
     * Create a verifier that records the start and end of every verification in a ledger,
     * where the control plane finds the clean full verification a move out of {@code DUAL}
     * needs.
     * @param scanners scanners of each repository's old store
     * @param comparator compares entities of the PostgreSQL types
     * @param strategies the strategy in force (recorded in reports)
     * @param repairLogs the repair log of each store to repair (pending counts in reports)
     * @param ledger where verifications are recorded, or {@code null} for nowhere
     */
    public Verifier(OldStoreScanners scanners, EntityComparator comparator, StrategySource strategies,
            Map<Store, ? extends RepairLog> repairLogs, @Nullable Ledger ledger) {
        this(scanners, comparator, strategies, repairLogs, ledger, null);
    }

    /**
     * Create a verifier that records the start and end of every verification in a ledger and
     * keeps every report in a {@link VerificationStore}, so that reports outlive this
     * instance. A store that cannot be written never fails a verification: it is logged.
     * @param scanners scanners of each repository's old store
     * @param comparator compares entities of the PostgreSQL types
     * @param strategies the strategy in force (recorded in reports)
     * @param repairLogs the repair log of each store to repair (pending counts in reports)
     * @param ledger where verifications are recorded, or {@code null} for nowhere
     * @param store where reports are kept, or {@code null} for nowhere
     */
    public Verifier(OldStoreScanners scanners, EntityComparator comparator, StrategySource strategies,
            Map<Store, ? extends RepairLog> repairLogs, @Nullable Ledger ledger, @Nullable VerificationStore store) {
        Assert.notNull(scanners, "scanners must not be null");
        Assert.notNull(comparator, "comparator must not be null");
        Assert.notNull(strategies, "strategies must not be null");
        Assert.notNull(repairLogs, "repairLogs must not be null");
        this.scanners = scanners;
        this.comparator = comparator;
        this.strategies = strategies;
        this.repairLogs = Map.copyOf(repairLogs);
        this.clock = Clock.systemUTC();
        this.ledger = ledger;
        this.store = store;
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
        return verify(repository, options, progress, "application");
    }

    /**
     * Verify one repository on behalf of someone, recorded in the ledger.
     * @param repository the paired repository
     * @param options what to compare
     * @param progress called after every batch, on the verifying thread
     * @param actor who asked, as the ledger records it
     * @return the report
     */
    public VerificationReport verify(DualRepository<?, ?, ?> repository, VerifyOptions options,
            Consumer<VerificationProgress> progress, String actor) {
        return verify(repository, options, progress, actor, UUID.randomUUID().toString(), false);
    }

    /**
     * Verify, keeping the report under {@code id} in the store (if any).
     * @param background whether the background verifier runs it
     */
    VerificationReport verify(DualRepository<?, ?, ?> repository, VerifyOptions options,
            Consumer<VerificationProgress> progress, String actor, String id, boolean background) {
        Assert.notNull(repository, "repository must not be null");
        Assert.notNull(options, "options must not be null");
        Assert.notNull(progress, "progress must not be null");
        Assert.hasText(actor, "actor must not be empty");
        boolean stored = keep(id, (store) -> store.started(id, repository.name(), options,
                this.strategies.strategyFor(repository.name()), actor, background));
        Instant started = record(LedgerEntry.of(repository.name(), LedgerAction.VERIFICATION_STARTED, actor)
            .withStages(null, this.strategies.strategyFor(repository.name()), 0)
            .withResult(options.mode().name(), null, null)).map(LedgerEntry::at).orElse(null);
        VerificationReport report = run(repository, options, progress);
        record(LedgerEntry.of(repository.name(), LedgerAction.VERIFICATION_FINISHED, actor)
            .withStages(null, report.strategy(), 0)
            .withResult(options.mode().name(), outcome(report), started)
            .withDetails(report.summary() + (stored ? "; report " + id : "")));
        if (stored) {
            keep(id, (store) -> store.finished(id, report));
        }
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

    /**
     * Let verifications that start from now on have PostgreSQL compare the rows it holds with
     * the old store's values, and load and compare field by field only the rows it names: much
     * less work for the application. A row it leaves out counts as compared and agreeing, so
     * it must never leave out a row the field-by-field comparison would find different (the
     * backfill's holds to that for the column types its query is made for, compares the other
     * tables field by field, and cannot see a conversion that does not read back what it
     * wrote). A batch it fails on is compared field by field. Repositories whose rows carry an
     * expiry always are.
     * @param comparison the comparison, or {@code null} to compare every row field by field
     */
    public void setPostgresComparison(@Nullable PostgresComparison comparison) {
        this.postgresComparison = comparison;
    }

    private <R, P, ID> VerificationReport run(DualRepository<R, P, ID> repository, VerifyOptions options,
            Consumer<VerificationProgress> progress) {
        VerificationRun<R, P, ID> run = new VerificationRun<>(repository, this.scanners.scannerFor(repository),
                options, progress, this.strategies.strategyFor(repository.name()), this.comparator, this.clock,
                this.postgresComparison);
        String error = null;
        try {
            run.execute();
        }
        catch (RuntimeException ex) {
            error = FailureReason.describe(ex);
            logger.warn("dual-write verify: repository '{}' could not be verified completely", repository.name(), ex);
        }
        return run.report(pendingRepairs(repository.name()), error);
    }

    /** Return where reports are kept, if anywhere. */
    @Nullable VerificationStore store() {
        return this.store;
    }

    // The verification matters more than its stored copy (PostgreSQL may be what is failing).
    private boolean keep(String id, Consumer<VerificationStore> write) {
        VerificationStore target = this.store;
        if (target == null) {
            return false;
        }
        try {
            write.accept(target);
            return true;
        }
        catch (RuntimeException ex) {
            logger.warn("dual-write verify: could not store verification {} ({})", id, FailureReason.describe(ex));
            return false;
        }
    }

    private Optional<LedgerEntry> record(LedgerEntry entry) {
        return (this.ledger != null) ? this.ledger.appendQuietly(entry) : Optional.empty();
    }

    private static String outcome(VerificationReport report) {
        if (report.error() != null) {
            return "INCOMPLETE";
        }
        return report.agree() ? "AGREE" : "DIFFER";
    }

    // By store tag; null where the log cannot be read (the report says "unknown").
    private Map<String, @Nullable Long> pendingRepairs(String repository) {
        Map<String, @Nullable Long> pending = new LinkedHashMap<>();
        this.repairLogs.forEach((store, log) -> {
            Long count;
            try {
                count = log.pendingCount(repository);
            }
            catch (RuntimeException ex) {
                count = null;
            }
            pending.put(store.tagValue(), count);
        });
        return pending;
    }

}
