/**
 * The repair reconciler: drains the repair records in the background, copying each key
 * through the write path's per-key serialisation until both stores agree again. It sits
 * above the write path, which records into the logs of {@link dev.dualwrite.core.repair}
 * and knows nothing of how they are drained.
 */
@NullMarked
package dev.dualwrite.core.repair.reconcile;

import org.jspecify.annotations.NullMarked;
