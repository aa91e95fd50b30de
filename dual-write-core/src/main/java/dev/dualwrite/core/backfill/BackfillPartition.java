package dev.dualwrite.core.backfill;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One partition of a partitioned backfill run (see {@link BackfillOptions#withPartitioned}):
 * a part of the repository's scan (a Redis master's keys; {@code "all"} for a source that
 * cannot be split) that one worker copies at a time.
 * @param repository the repository name
 * @param partition the partition's name: a Redis master's node id, or {@code "all"}
 * @param runId the run it belongs to
 * @param state {@code PENDING} (not claimed yet, or released by a worker that stopped),
 * {@code RUNNING} (claimed; taken over by another worker once {@code leaseUntil} has passed)
 * or {@code COMPLETED}
 * @param position the scan position up to which everything of the partition was copied
 * @param owner the worker that holds it, or held it last
 * @param leaseUntil when the owner's claim runs out unless renewed ({@code null} when not
 * claimed)
 * @param claims how many times a worker claimed it (more than one: it was resumed by another
 * worker, or by the same one after a stop)
 * @param rowsRead rows read from it, over all its claims
 * @param rowsWritten rows written
 * @param rowsSkipped rows skipped (already in PostgreSQL, or deleted from Redis meanwhile)
 * @param rowsRejected rows set aside
 * @param updatedAt when it last moved
 */
public record BackfillPartition(String repository, String partition, String runId, BackfillState state,
        String position, @Nullable String owner, @Nullable Instant leaseUntil, int claims, long rowsRead,
        long rowsWritten, long rowsSkipped, long rowsRejected, Instant updatedAt) {
}
