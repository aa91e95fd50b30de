/**
 * The pair model: which Redis repository is migrated to which PostgreSQL repository, under
 * what name, and how their entity types convert ({@link dev.dualwrite.core.pair.DualRepository},
 * {@link dev.dualwrite.core.pair.EntityMapping}), used by the read and write paths, the repair
 * reconciler, the backfill and the verifier alike. The application declares a pair with
 * {@code dev.dualwrite.core.routing.RepositoryPairing}, which stays where applications
 * already import it from.
 */
@NullMarked
package dev.dualwrite.core.pair;

import org.jspecify.annotations.NullMarked;
