package dev.dualwrite.core.control;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether the live instances apply a repository's current stage, as the gate of every move
 * and the health see it.
 * @param live instances whose last heartbeat is within the instance timeout
 * @param behind live instances on an older epoch, each described with its host and stage
 * @param leftOut instances silent for longer than the instance timeout, each with its last
 * heartbeat; they hold nothing
 */
public record Agreement(int live, List<String> behind, List<String> leftOut) {

    public Agreement {
        behind = List.copyOf(behind);
        leftOut = List.copyOf(leftOut);
    }

    /**
     * Sort the instances that registered a repository by what they apply.
     * @param stage the repository's shared stage
     * @param instances what each instance reported
     * @return the agreement
     */
    public static Agreement of(SharedStage stage, List<InstanceStage> instances) {
        List<String> behind = new ArrayList<>();
        List<String> leftOut = new ArrayList<>();
        int live = 0;
        for (InstanceStage instance : instances) {
            if (!instance.live()) {
                leftOut.add(instance.instanceId() + " (host " + instance.host() + ", last seen " + instance.lastSeenAt()
                        + ")");
                continue;
            }
            live++;
            // A newer epoch than the stage read a moment ago is a move made meanwhile, not a lag.
            if (instance.epoch() < stage.epoch()) {
                behind.add(instance.instanceId() + " (host " + instance.host() + ") applies epoch " + instance.epoch()
                        + " (" + instance.strategy() + ")");
            }
        }
        return new Agreement(live, behind, leftOut);
    }

    /**
     * Return whether every live instance applies the current stage.
     * @return whether none is behind
     */
    public boolean agreed() {
        return this.behind.isEmpty();
    }

}
