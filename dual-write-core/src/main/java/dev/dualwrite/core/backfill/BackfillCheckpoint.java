package dev.dualwrite.core.backfill;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * The durable state of a repository's last backfill run.
 * @param repository the repository name
 * @param runId the id of the run that wrote it
 * @param state the run's state ({@code RUNNING} also for a run that was killed)
 * @param keyPattern the key pattern of the run
 * @param mode what the run does with rows PostgreSQL already holds (a run resumes only a
 * checkpoint of its own mode)
 * @param position the scan position up to which everything was copied
 * @param rowsRead rows read, over all attempts of the run
 * @param rowsWritten rows written
 * @param rowsSkipped rows skipped (already in PostgreSQL, or deleted from Redis meanwhile)
 * @param rowsRejected rows set aside
 * @param rowsRefreshed present rows a catch-up rewrote with Redis's current value
 * @param rowsRemoved rows a catch-up deleted because their key is no longer in Redis
 * @param message why the run failed, when it did
 * @param startedAt when the run started
 * @param updatedAt when the checkpoint last moved
 * @param finishedAt when the run ended, if it did
 */
public record BackfillCheckpoint(String repository, String runId, BackfillState state, String keyPattern,
        BackfillMode mode, String position, long rowsRead, long rowsWritten, long rowsSkipped, long rowsRejected,
        long rowsRefreshed, long rowsRemoved, @Nullable String message, Instant startedAt, Instant updatedAt, @Nullable Instant finishedAt) {
}
