/**
 * Key-level access to each store: the undecorated Redis repository and PostgreSQL through
 * Spring Data JDBC with upserts and per-key locks.
 */
@NullMarked
package dev.dualwrite.core.store;

import org.jspecify.annotations.NullMarked;
