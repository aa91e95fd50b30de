package dev.dualwrite.core.backfill;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A key the backfill set aside.
 * @param repository the repository name
 * @param key the Redis key
 * @param reason why, without the value
 * @param rawValue the value as read (may hold personal data)
 * @param attempts how many times the key was set aside
 * @param rejectedAt when it was last set aside
 */
public record BackfillReject(String repository, String key, String reason, @Nullable String rawValue, int attempts,
        Instant rejectedAt) {
}
