/**
 * The old store's side of the backfill and the verifier, whatever the store: an
 * {@link dev.dualwrite.core.store.scan.OldStoreScanner} enumerates one repository's old store
 * in bounded memory from an opaque, resumable
 * {@link dev.dualwrite.core.store.scan.SourcePosition} whose text form checkpoints store.
 * {@link dev.dualwrite.core.store.scan.JdbcKeysetScanner} scans a Spring Data JDBC old store
 * by primary key. Nothing here knows Redis; the Redis scanners live in
 * {@code dev.dualwrite.core.redis.scan}.
 */
@NullMarked
package dev.dualwrite.core.store.scan;

import org.jspecify.annotations.NullMarked;
