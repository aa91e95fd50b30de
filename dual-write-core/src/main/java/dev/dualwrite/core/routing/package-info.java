/**
 * The repository decorator: routes each call on a paired repository
 * ({@link dev.dualwrite.core.pair.DualRepository}) by the repository's current write
 * strategy, through the write path ({@link dev.dualwrite.core.routing.WriteCoordinator}) and
 * the read path ({@link dev.dualwrite.core.routing.ReadRouter}).
 */
@NullMarked
package dev.dualwrite.core.routing;

import org.jspecify.annotations.NullMarked;
