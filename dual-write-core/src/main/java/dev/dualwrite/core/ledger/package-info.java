/**
 * The ledger: an append-only record of every stage change and operation (backfill,
 * verification, repair, rollback sync) with who, when and why.
 */
@NullMarked
package dev.dualwrite.core.ledger;

import org.jspecify.annotations.NullMarked;
