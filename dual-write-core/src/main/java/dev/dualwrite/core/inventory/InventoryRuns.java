package dev.dualwrite.core.inventory;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import dev.dualwrite.core.inventory.InventoryReport.RepositoryInventory;
import dev.dualwrite.core.inventory.InventorySource.ScanProgress;
import dev.dualwrite.core.ledger.Ledger;
import dev.dualwrite.core.ledger.LedgerAction;
import dev.dualwrite.core.ledger.LedgerEntry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

/**
 * Inventories taken in the background on an operator's request, one at a time: a start while
 * one runs answers the running one, so callers never multiply the load on the old store. Each
 * start and end is recorded in the ledger (if any) for every repository covered, with who
 * asked and why. Keeps the last finished run, with its report.
 */
public final class InventoryRuns implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(InventoryRuns.class);

    private final Inventory inventory;

    private final @Nullable Ledger ledger;

    private final ExecutorService executor = Executors.newSingleThreadExecutor((task) -> {
        Thread thread = new Thread(task, "dualwrite-inventory");
        thread.setDaemon(true);
        return thread;
    });

    private @Nullable Run running;

    private @Nullable Run last;

    /**
     * @param inventory the inventory
     * @param ledger where starts and ends are recorded, or {@code null} for nowhere
     */
    public InventoryRuns(Inventory inventory, @Nullable Ledger ledger) {
        Assert.notNull(inventory, "inventory must not be null");
        this.inventory = inventory;
        this.ledger = ledger;
    }

    /**
     * Start an inventory of every paired repository in the background, unless one is running.
     * @param actor who asked, as the ledger records it
     * @param reason why, as the ledger records it
     * @return the run started, or the one already running
     */
    public synchronized RunStatus start(String actor, @Nullable String reason) {
        Assert.hasText(actor, "actor must not be empty");
        Run current = this.running;
        if (current != null) {
            return current.status();
        }
        List<String> repositories = this.inventory.repositories();
        Run run = new Run(UUID.randomUUID().toString(), actor, reason, repositories, Instant.now());
        this.running = run;
        repositories.forEach((repository) -> record(LedgerEntry.of(repository, LedgerAction.INVENTORY_STARTED, actor)
            .withReason(reason, false)
            .withDetails("inventory " + run.id)));
        logger.info("dual-write inventory: '{}' started inventory {} of {}{}", actor, run.id, repositories,
                (reason != null) ? " (" + reason + ")" : "");
        try {
            this.executor.execute(() -> take(run));
        }
        catch (RejectedExecutionException ex) {
            this.running = null;
            throw new IllegalStateException("The inventory runs are closed (the application is stopping)", ex);
        }
        return run.status();
    }

    private void take(Run run) {
        try {
            InventoryReport report = this.inventory.take(List.of(Inventory.ALL), this.inventory.settings(),
                    run::progress);
            run.finish(report, null);
            for (RepositoryInventory repository : report.repositories()) {
                record(end(run, repository.repository(), "COMPLETED").withDetails(String.format(Locale.ROOT,
                        "inventory %s: %,d entities (%s), %,d keys in %d patterns, about %s", run.id,
                        repository.entities(), repository.entitiesBasis(),
                        repository.parts().stream().mapToLong(InventoryReport.PartInventory::count).sum(),
                        repository.parts().size(), InventoryText.bytes(repository.memoryBytes()))));
            }
        }
        catch (RuntimeException ex) {
            logger.warn("dual-write inventory: inventory {} failed: {}", run.id, ex.getMessage());
            run.finish(null, ex.getClass().getSimpleName() + ": " + ex.getMessage());
            run.repositories.forEach((repository) -> record(end(run, repository, "FAILED")
                .withDetails("inventory " + run.id + ": " + run.failure)));
        }
        finally {
            synchronized (this) {
                this.running = null;
                this.last = run;
            }
        }
    }

    private LedgerEntry end(Run run, String repository, String outcome) {
        return LedgerEntry.of(repository, LedgerAction.INVENTORY_FINISHED, run.startedBy)
            .withReason(run.reason, false)
            .withResult(null, outcome, run.startedAt);
    }

    private void record(LedgerEntry entry) {
        if (this.ledger != null) {
            this.ledger.appendQuietly(entry);
        }
    }

    /** Return the running inventory, if any. */
    public synchronized @Nullable RunStatus running() {
        return (this.running != null) ? this.running.status() : null;
    }

    /** Return the last finished inventory, with its report (or its failure), if any. */
    public synchronized @Nullable RunStatus last() {
        return (this.last != null) ? this.last.status() : null;
    }

    /** Stop a running inventory (interrupting its scan) and the background thread. */
    @Override
    public void close() {
        this.executor.shutdownNow();
    }

    /**
     * One inventory, running or finished.
     * @param id its id
     * @param startedBy who asked
     * @param reason why, as given
     * @param startedAt when it started
     * @param state {@code RUNNING}, {@code COMPLETED} or {@code FAILED}
     * @param store the store being scanned while it runs
     * @param scanned keys looked at so far (of the store being scanned, then of all)
     * @param fraction estimated share of the store being scanned passed, from 0 to 1
     * @param finishedAt when it ended
     * @param failure why it failed
     * @param report the report, once completed
     */
    public record RunStatus(String id, String startedBy, @Nullable String reason, Instant startedAt, String state,
            @Nullable String store, long scanned, double fraction, @Nullable Instant finishedAt,
            @Nullable String failure, @Nullable InventoryReport report) {
    }

    private static final class Run {

        private final String id;

        private final String startedBy;

        private final @Nullable String reason;

        private final List<String> repositories;

        private final Instant startedAt;

        private volatile @Nullable ScanProgress progress;

        private volatile @Nullable Instant finishedAt;

        private volatile @Nullable String failure;

        private volatile @Nullable InventoryReport report;

        Run(String id, String startedBy, @Nullable String reason, List<String> repositories, Instant startedAt) {
            this.id = id;
            this.startedBy = startedBy;
            this.reason = reason;
            this.repositories = repositories;
            this.startedAt = startedAt;
        }

        void progress(ScanProgress step) {
            this.progress = step;
        }

        void finish(@Nullable InventoryReport report, @Nullable String failure) {
            this.report = report;
            this.failure = failure;
            this.finishedAt = Instant.now();
        }

        RunStatus status() {
            ScanProgress step = this.progress;
            InventoryReport taken = this.report;
            String state = (this.finishedAt == null) ? "RUNNING" : (taken != null) ? "COMPLETED" : "FAILED";
            long scanned = (taken != null) ? taken.stores().stream().mapToLong(InventoryReport.StoreSummary::scanned).sum()
                    : (step != null) ? step.scanned() : 0;
            double fraction = (taken != null) ? 1 : (step != null) ? step.fraction() : 0;
            return new RunStatus(this.id, this.startedBy, this.reason, this.startedAt, state,
                    (step != null) ? step.store() : null, scanned, fraction, this.finishedAt, this.failure, taken);
        }

    }

}
