/**
 * Key-level access to each store: the old store behind the {@link dev.dualwrite.core.store.OldStore}
 * interface (Redis through its undecorated repository is one implementation) and PostgreSQL
 * through Spring Data JDBC with upserts and per-key locks.
 */
@NullMarked
package dev.dualwrite.core.store;

import org.jspecify.annotations.NullMarked;
