/**
 * Durable records of keys whose two stores may differ, kept until the stores agree again:
 * the repair logs the write path records into, one per store that holds the truth. They are
 * drained by the reconciler of {@link dev.dualwrite.core.repair.reconcile}.
 */
@NullMarked
package dev.dualwrite.core.repair;

import org.jspecify.annotations.NullMarked;
