/**
 * Streaming enumeration of one repository's Redis store in bounded memory, shared by the
 * backfill and the verifier: JSON strings under a key prefix ({@code SCAN}, then pipelined
 * {@code MGET}) and {@code @RedisHash} keyspaces ({@code SSCAN} of the keyspace set, then
 * pipelined {@code HGETALL}), with a resumable {@link dev.dualwrite.core.redis.scan.ScanPosition}
 * and every master of a Redis Cluster scanned. The scanners implement the store-neutral
 * {@link dev.dualwrite.core.store.scan.OldStoreScanner}, whose entry and settings types they
 * use.
 */
@NullMarked
package dev.dualwrite.core.redis.scan;

import org.jspecify.annotations.NullMarked;
