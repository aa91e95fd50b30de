package dev.dualwrite.core.inventory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.dualwrite.core.inventory.BackfillRates.MeasuredRate;
import dev.dualwrite.core.inventory.InventoryReport.BackfillEstimate;
import dev.dualwrite.core.inventory.InventoryReport.RepositoryInventory;
import dev.dualwrite.core.inventory.InventoryReport.StoreSummary;
import dev.dualwrite.core.inventory.InventorySource.ScanProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

/**
 * Takes stock of the old store before a migration: asks every {@link InventorySource} (one
 * per store) for what it holds for the paired repositories, and estimates each repository's
 * backfill time from its entity count and the last rate measured ({@link BackfillRates}).
 * Read-only. The load on the store is bounded by the settings' rate limit (keys inspected per
 * second; {@link InventorySettings#DEFAULTS} 5,000) and pipeline depth: without a rate limit
 * a scan runs as fast as the store answers, which a busy store may feel. Logs its progress
 * every {@value #PROGRESS_SECONDS} seconds.
 * <pre class="code">
 * InventoryReport report = inventory.take(List.of("tokens"));
 * System.out.println(report.toText());
 * </pre>
 */
public class Inventory {

    /** The name that stands for every repository. */
    public static final String ALL = "all";

    /** Seconds between two progress lines in the log while a store is scanned. */
    public static final int PROGRESS_SECONDS = 30;

    private static final Logger logger = LoggerFactory.getLogger(Inventory.class);

    private final Supplier<List<InventorySource>> sources;

    private final BackfillRates rates;

    private final InventorySettings settings;

    /**
     * @param sources the stores, asked at each inventory (the repositories may be paired after
     * this object is built)
     * @param rates the last measured backfill rates
     * @param settings how to scan
     */
    public Inventory(Supplier<List<InventorySource>> sources, BackfillRates rates, InventorySettings settings) {
        Assert.notNull(sources, "sources must not be null");
        Assert.notNull(rates, "rates must not be null");
        Assert.notNull(settings, "settings must not be null");
        this.sources = sources;
        this.rates = rates;
        this.settings = settings;
    }

    /** Return the names of the repositories an inventory can report, in name order. */
    public List<String> repositories() {
        return List.copyOf(known(this.sources.get()));
    }

    // By name: the registry's order is not stable from one start to the next.
    private static Set<String> known(List<InventorySource> sources) {
        Set<String> known = new TreeSet<>();
        sources.forEach((source) -> known.addAll(source.repositories()));
        return known;
    }

    /** Return the settings an inventory scans with. */
    public InventorySettings settings() {
        return this.settings;
    }

    /**
     * Take stock of some repositories, with the default settings.
     * @param repositories their names, or {@value #ALL} (an empty list means all as well)
     * @return the report
     * @throws IllegalArgumentException when a name is no paired repository
     */
    public InventoryReport take(List<String> repositories) {
        return take(repositories, this.settings);
    }

    /**
     * Take stock of some repositories: every store that holds one of them is scanned once.
     * @param repositories their names, or {@value #ALL} (an empty list means all as well); reported
     * in this order, {@value #ALL} in name order
     * @param settings how to scan
     * @return the report
     * @throws IllegalArgumentException when a name is no paired repository
     */
    public InventoryReport take(List<String> repositories, InventorySettings settings) {
        return take(repositories, settings, (progress) -> {
        });
    }

    /**
     * Take stock of some repositories, telling how far each store's scan has come.
     * @param repositories their names, or {@value #ALL} (an empty list means all as well)
     * @param settings how to scan
     * @param progress told after each page, on the scanning thread
     * @return the report
     * @throws IllegalArgumentException when a name is no paired repository
     */
    public InventoryReport take(List<String> repositories, InventorySettings settings,
            Consumer<ScanProgress> progress) {
        Assert.notNull(repositories, "repositories must not be null");
        Assert.notNull(settings, "settings must not be null");
        Assert.notNull(progress, "progress must not be null");
        List<InventorySource> sources = this.sources.get();
        Set<String> known = known(sources);
        Set<String> wanted = new LinkedHashSet<>();
        for (String name : repositories) {
            if (ALL.equals(name)) {
                wanted.addAll(known);
            }
            else if (!known.contains(name)) {
                throw new IllegalArgumentException("No paired repository is named '" + name
                        + "'; paired repositories: " + known);
            }
            else {
                wanted.add(name);
            }
        }
        if (repositories.isEmpty()) {
            wanted.addAll(known);
        }
        Instant start = Instant.now();
        Map<String, RepositoryInventory> found = new LinkedHashMap<>();
        List<StoreSummary> stores = new ArrayList<>();
        for (InventorySource source : sources) {
            if (source.repositories().stream().noneMatch(wanted::contains)) {
                continue;
            }
            logger.info("dual-write inventory: scanning {} ({}) for {}", source.describe(), settings.match(),
                    source.repositories().stream().filter(wanted::contains).toList());
            InventorySource.StoreInventory store = source.take(wanted, settings, logged(progress));
            stores.add(store.store());
            store.repositories().forEach((repository) -> found.put(repository.repository(),
                    repository.withBackfill(estimate(repository))));
        }
        List<RepositoryInventory> ordered = new ArrayList<>();
        wanted.forEach((name) -> {
            RepositoryInventory repository = found.get(name);
            if (repository != null) {
                ordered.add(repository);
            }
        });
        InventoryReport report = new InventoryReport(start, Duration.between(start, Instant.now()), ordered, stores);
        // A database's summary has no keys of no repository (null): its tables are counted, not scanned.
        logger.info("dual-write inventory: {} repositories, {} keys scanned, {} of no repository, in {}",
                ordered.size(), stores.stream().mapToLong(StoreSummary::scanned).sum(),
                stores.stream()
                    .mapToLong((store) -> (store.unmatched() != null) ? store.unmatched().count() : 0)
                    .sum(),
                report.duration());
        return report;
    }

    // A line every PROGRESS_SECONDS, so that a long scan (a one-shot run) shows it is alive.
    private static Consumer<ScanProgress> logged(Consumer<ScanProgress> progress) {
        long[] next = { System.nanoTime() + PROGRESS_SECONDS * 1_000_000_000L };
        return (step) -> {
            long now = System.nanoTime();
            if (now - next[0] >= 0) {
                next[0] = now + PROGRESS_SECONDS * 1_000_000_000L;
                logger.info("dual-write inventory: {}: {} keys scanned, about {}% of the keys", step.store(),
                        String.format(Locale.ROOT, "%,d", step.scanned()),
                        String.format(Locale.ROOT, "%.0f", step.fraction() * 100));
            }
            progress.accept(step);
        };
    }

    private BackfillEstimate estimate(RepositoryInventory repository) {
        long rows = repository.entities();
        Optional<MeasuredRate> rate;
        try {
            rate = this.rates.lastRate(repository.repository());
        }
        catch (RuntimeException ex) {
            // The rates live in PostgreSQL; the inventory of Redis is still worth having without them.
            logger.warn("dual-write inventory: the last backfill rate of '{}' could not be read: {}",
                    repository.repository(), ex.getMessage());
            return new BackfillEstimate(rows, null, null, "no estimate: the backfill checkpoints could not be read ("
                    + ex.getClass().getSimpleName() + ")");
        }
        if (rate.isEmpty()) {
            return new BackfillEstimate(rows, null, null, BackfillEstimate.NOT_MEASURED);
        }
        MeasuredRate measured = rate.get();
        Duration time = Duration.ofMillis(Math.round(rows / measured.rowsPerSecond() * 1000));
        String basis = String.format(Locale.ROOT, "%,.0f rows/s: %,d rows read in %s by %s run %s (%s), last updated %s",
                measured.rowsPerSecond(), measured.rows(), InventoryText.duration(measured.duration()),
                measured.mode(), measured.run(), measured.state(), measured.measuredAt());
        if (measured.resumed()) {
            // The rows read count every attempt of the run, the time only its last one.
            basis += "; the run was resumed, so its rows read include earlier attempts and the rate is an upper "
                    + "bound (the time a lower bound)";
        }
        return new BackfillEstimate(rows, measured.rowsPerSecond(), time, basis);
    }

}
