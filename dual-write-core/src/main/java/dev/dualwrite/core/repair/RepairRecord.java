package dev.dualwrite.core.repair;

import java.time.Instant;

import dev.dualwrite.core.strategy.Store;

/**
 * A durable note that one key's stores may differ: the {@code target} store must be
 * re-derived from the other store's current state.
 * @param repository the repository name
 * @param key the entity key
 * @param target the store that may be behind
 * @param reason why the key was recorded (an error class and message, never a value)
 * @param firstRecordedAt when the key was first recorded
 * @param lastRecordedAt when the key was last recorded
 * @param attempts how many secondary writes of the key failed since it was first recorded
 */
public record RepairRecord(String repository, String key, Store target, String reason, Instant firstRecordedAt,
        Instant lastRecordedAt, int attempts) {
}
