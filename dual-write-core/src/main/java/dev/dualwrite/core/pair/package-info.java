/**
 * The pair model: which Redis repository is migrated to which PostgreSQL repository, under
 * what name, and how their entity types convert. Declared by the application
 * ({@link dev.dualwrite.core.pair.RepositoryPairing}) and used at run time
 * ({@link dev.dualwrite.core.pair.DualRepository}) by the read and write paths, the repair
 * reconciler, the backfill and the verifier alike.
 */
@NullMarked
package dev.dualwrite.core.pair;

import org.jspecify.annotations.NullMarked;
