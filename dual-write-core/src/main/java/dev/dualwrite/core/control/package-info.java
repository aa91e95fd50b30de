/**
 * The control plane: the one place every stage move goes through. The stage of each
 * repository and its epoch live in a shared PostgreSQL table; instances heartbeat the epoch
 * they apply; gates decide a move; the ledger records it.
 */
@NullMarked
package dev.dualwrite.core.control;

import org.jspecify.annotations.NullMarked;
