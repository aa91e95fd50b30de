package dev.dualwrite.core.control;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * How the control plane shares stages between instances.
 * @param instanceId this instance's name, unique among running instances
 * @param host the host this instance runs on, for people to read
 * @param pollInterval how often the shared stages are read; bounds how long an instance takes
 * to apply a move made elsewhere
 * @param heartbeatInterval how often this instance reports what it applies when nothing
 * changed (a change is reported at once)
 * @param instanceTimeout how long after its last heartbeat an instance is left out of the
 * agreement a move needs
 * @param inFlightGrace how long an outbox record may be pending before it counts as a repair
 * backlog: longer than the secondary's time limit
 * @param drainTimeout how long a move made on this instance waits for this instance's calls
 * begun under the previous stage before returning
 */
public record ControlPlaneSettings(String instanceId, String host, Duration pollInterval, Duration heartbeatInterval,
        Duration instanceTimeout, Duration inFlightGrace, Duration drainTimeout) {

    public ControlPlaneSettings {
        Assert.hasText(instanceId, "instanceId must not be empty");
        Assert.hasText(host, "host must not be empty");
        Assert.isTrue(!pollInterval.isNegative() && !pollInterval.isZero(), "pollInterval must be positive");
        Assert.isTrue(!heartbeatInterval.isNegative() && !heartbeatInterval.isZero(), "heartbeatInterval must be positive");
        Assert.isTrue(instanceTimeout.compareTo(heartbeatInterval) > 0,
                "instanceTimeout must be longer than heartbeatInterval");
        Assert.isTrue(!inFlightGrace.isNegative(), "inFlightGrace must not be negative");
        Assert.isTrue(!drainTimeout.isNegative(), "drainTimeout must not be negative");
    }

}
