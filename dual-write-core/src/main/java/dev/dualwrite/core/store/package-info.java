/**
 * Key-level access to each store: the old store behind the {@link dev.dualwrite.core.store.OldStore}
 * interface (implemented for Redis and for a Spring Data JDBC table on another database, each
 * through its undecorated repository) and PostgreSQL through Spring Data JDBC with upserts and
 * per-key locks.
 */
@NullMarked
package dev.dualwrite.core.store;

import org.jspecify.annotations.NullMarked;
