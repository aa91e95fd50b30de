package dev.dualwrite.core.inventory;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One old store that can take stock of what it holds for the paired repositories it serves:
 * {@link RedisInventory} for a Redis database, {@link JdbcInventory} for a JDBC old store (one
 * {@link InventoryReport.TableInventory table} per repository: its row count and its size as
 * the database reports it, not estimated; no key patterns, types or expiry).
 * <p>
 * Implementations only read, and bound the load they put on the store.
 */
public interface InventorySource {

    /**
     * Describe the store for the report, e.g. {@code "Redis 10.0.0.5:6379, database 0"}.
     * @return the description
     */
    String describe();

    /**
     * Return the names of the paired repositories whose data lives in this store.
     * @return the names
     */
    List<String> repositories();

    /**
     * Take stock.
     * @param repositories the repositories to report (the store may look at all of its data
     * anyway, to tell which belongs to none)
     * @param settings how to scan
     * @param progress told after each page how far the scan has come, on the scanning thread
     * @return what the store holds; without backfill estimates, which the {@link Inventory} adds
     */
    StoreInventory take(Set<String> repositories, InventorySettings settings, Consumer<ScanProgress> progress);

    /**
     * How far the scan of one store has come.
     * @param store the store's description
     * @param scanned keys looked at so far
     * @param fraction estimated share of the store's keys passed, from 0 to 1
     */
    record ScanProgress(String store, long scanned, double fraction) {
    }

    /**
     * What one store holds.
     * @param store the store's description
     * @param repositories the requested repositories of the store, with their parts
     */
    record StoreInventory(InventoryReport.StoreSummary store, List<InventoryReport.RepositoryInventory> repositories) {
    }

}
