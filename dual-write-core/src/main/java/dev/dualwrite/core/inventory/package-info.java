/**
 * The inventory of the old store before a migration: per paired repository and per key
 * pattern, how many keys there are, of which Redis types, how much memory they use (sampled),
 * how many expire, which keys belong to no repository, and how long a backfill would take at
 * the last measured rate. It only reads the old store: it scans with {@code SCAN}, never
 * {@code KEYS}, rate-limited; {@link dev.dualwrite.core.inventory.InventoryRuns} records the
 * inventories it runs in the ledger. For a JDBC old store it counts each repository's table's
 * rows and reads its size from the database instead.
 * <p>
 * {@link dev.dualwrite.core.inventory.Inventory} is the entry point;
 * {@link dev.dualwrite.core.inventory.InventorySource} is what an old store implements
 * ({@link dev.dualwrite.core.inventory.RedisInventory} for Redis,
 * {@link dev.dualwrite.core.inventory.JdbcInventory} for a JDBC old store).
 */
@NullMarked
package dev.dualwrite.core.inventory;

import org.jspecify.annotations.NullMarked;
