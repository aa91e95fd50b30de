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
 * @param pollTimeout how long one background round (read the shared stages, heartbeat,
 * check the agreement) may take before it is ended and its PostgreSQL connection aborted;
 * shorter than {@code instanceTimeout}, so that a PostgreSQL gone silent costs this instance
 * one failed round, not its place in the agreement, and a round after PostgreSQL answers
 * again applies the moves made meanwhile (a socket read on a silent server otherwise waits
 * as long as TCP keeps the connection, possibly hours)
 */
public record ControlPlaneSettings(String instanceId, String host, Duration pollInterval, Duration heartbeatInterval,
        Duration instanceTimeout, Duration inFlightGrace, Duration drainTimeout, Duration pollTimeout) {

    public ControlPlaneSettings {
        Assert.hasText(instanceId, "instanceId must not be empty");
        Assert.hasText(host, "host must not be empty");
        Assert.isTrue(!pollInterval.isNegative() && !pollInterval.isZero(), "pollInterval must be positive");
        Assert.isTrue(!heartbeatInterval.isNegative() && !heartbeatInterval.isZero(), "heartbeatInterval must be positive");
        Assert.isTrue(instanceTimeout.compareTo(heartbeatInterval) > 0,
                "instanceTimeout must be longer than heartbeatInterval");
        Assert.isTrue(!inFlightGrace.isNegative(), "inFlightGrace must not be negative");
        Assert.isTrue(!drainTimeout.isNegative(), "drainTimeout must not be negative");
        Assert.isTrue(!pollTimeout.isNegative() && !pollTimeout.isZero(), "pollTimeout must be positive");
        Assert.isTrue(pollTimeout.compareTo(instanceTimeout) < 0, () -> "pollTimeout (" + pollTimeout
                + ") must be shorter than instanceTimeout (" + instanceTimeout + "): a round that hangs until it "
                + "is ended would otherwise cost this instance its place in the agreement");
    }

    /**
     * Settings with the {@link #defaultPollTimeout default poll timeout}.
     */
    public ControlPlaneSettings(String instanceId, String host, Duration pollInterval, Duration heartbeatInterval,
            Duration instanceTimeout, Duration inFlightGrace, Duration drainTimeout) {
        this(instanceId, host, pollInterval, heartbeatInterval, instanceTimeout, inFlightGrace, drainTimeout,
                defaultPollTimeout(instanceTimeout));
    }

    /**
     * Return the time limit of a background round when none is configured: a third of the
     * instance timeout (10 s with the defaults). A healthy round takes milliseconds, so this
     * ends only a hung one; a third leaves room, within the instance timeout, for the round
     * that hung and the heartbeat of the next one, so a PostgreSQL silent for less than that
     * does not get this instance left out.
     * @param instanceTimeout how long after its last heartbeat an instance is left out
     * @return the time limit
     */
    public static Duration defaultPollTimeout(Duration instanceTimeout) {
        return instanceTimeout.dividedBy(3);
    }

}
