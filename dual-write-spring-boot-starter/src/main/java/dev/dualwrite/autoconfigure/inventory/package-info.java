/**
 * Auto-configuration of the inventory of the old store: the
 * {@link dev.dualwrite.core.inventory.Inventory} over every paired repository, the
 * {@code dualwriteinventory} actuator endpoint and the one-shot run
 * ({@code dual-write.inventory.run}).
 */
@NullMarked
package dev.dualwrite.autoconfigure.inventory;

import org.jspecify.annotations.NullMarked;
