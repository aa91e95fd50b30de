package dev.dualwrite.autoconfigure;

import java.util.Map;

import dev.dualwrite.core.control.ControlPlane;
import dev.dualwrite.core.control.StageListener;
import dev.dualwrite.core.routing.ReadRouting;
import dev.dualwrite.core.routing.ReadRoutingSource;
import dev.dualwrite.core.strategy.StrategyChangeException;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Keeps ramped reads (a share of {@code DUAL}'s reads served by PostgreSQL) to what the
 * control plane's gates allow, whichever way they were set: a share configured in properties
 * is checked when the repository registers, and every share is turned off when the repository
 * leaves {@code DUAL} for {@code REDIS_PRIMARY} or comes back from it, since PostgreSQL misses
 * the writes made in between until the next backfill.
 */
final class ReadRampGuard implements StageListener {

    private static final Logger logger = LoggerFactory.getLogger(ReadRampGuard.class);

    private final ReadRoutingSource routings;

    private final ObjectProvider<ControlPlane> controlPlane;

    ReadRampGuard(ReadRoutingSource routings, ObjectProvider<ControlPlane> controlPlane) {
        this.routings = routings;
        this.controlPlane = controlPlane;
    }

    @Override
    public void applied(String repository, @Nullable WriteStrategy previous, WriteStrategy strategy, long epoch) {
        ReadRouting routing = this.routings.routingFor(repository);
        if (!ramped(routing)) {
            return;
        }
        if (previous == null) {
            refuseUnlessAllowed(repository, routing);
        }
        else if (previous == WriteStrategy.REDIS_PRIMARY || strategy == WriteStrategy.REDIS_PRIMARY) {
            turnOff(repository, routing, "it moved from " + previous + " to " + strategy
                    + ", and PostgreSQL misses what was written at REDIS_PRIMARY until the next backfill");
        }
    }

    private void refuseUnlessAllowed(String repository, ReadRouting routing) {
        ControlPlane plane = this.controlPlane.getIfAvailable();
        if (plane == null) {
            return;
        }
        try {
            plane.requireRampedReadsAllowed(repository);
        }
        catch (StrategyChangeException ex) {
            turnOff(repository, routing, ex.getMessage());
        }
    }

    private void turnOff(String repository, ReadRouting routing, @Nullable String why) {
        this.routings.change(repository, new ReadRouting(0, Map.of(), routing.shadowReadPercent()));
        logger.warn("dual-write: repository '{}': ramped reads turned off (were {}): {}", repository, routing, why);
    }

    private static boolean ramped(ReadRouting routing) {
        return routing.readPercent() > 0 || routing.readPercentByMethod().values().stream().anyMatch((p) -> p > 0);
    }

}
