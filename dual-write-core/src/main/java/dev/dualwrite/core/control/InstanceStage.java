package dev.dualwrite.core.control;

import java.time.Instant;

import dev.dualwrite.core.strategy.WriteStrategy;

/**
 * What one application instance applies for one repository, as it last reported.
 * @param instanceId the instance's name
 * @param host the host it runs on
 * @param startedAt when it started
 * @param lastSeenAt its last heartbeat, by the database's clock
 * @param live whether that heartbeat is recent enough for the instance to count
 * @param strategy the stage it applies
 * @param epoch the epoch it applies: it reports a new epoch only once the calls it began under
 * the previous one have ended
 */
public record InstanceStage(String instanceId, String host, Instant startedAt, Instant lastSeenAt, boolean live,
        WriteStrategy strategy, long epoch) {
}
