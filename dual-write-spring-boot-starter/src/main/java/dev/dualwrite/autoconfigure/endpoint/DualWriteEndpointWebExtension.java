package dev.dualwrite.autoconfigure.endpoint;

import java.security.Principal;

import dev.dualwrite.core.routing.ReadRouting;
import dev.dualwrite.core.strategy.StrategyChange;
import dev.dualwrite.core.strategy.StrategyChangeException;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The HTTP form of {@link DualWriteEndpoint}'s strategy and read routing changes: a change
 * that is not made gets a status and a message the operator can act on, rather than a bare
 * 500 or a 204 that looks like success. 403 when no authenticated caller reaches it (the
 * application's security let an anonymous request through), 404 for a name that is no paired
 * repository, 409 when the control plane refuses the move (a condition does not hold: a
 * skipped stage, an instance that does not apply the current stage yet, a missing backfill or
 * verification, a repair backlog) or refuses to ramp reads for the same reasons.
 */
@EndpointWebExtension(endpoint = DualWriteEndpoint.class)
public class DualWriteEndpointWebExtension {

    private final DualWriteEndpoint delegate;

    /**
     * @param delegate the endpoint whose write operation this one answers for over HTTP
     */
    public DualWriteEndpointWebExtension(DualWriteEndpoint delegate) {
        this.delegate = delegate;
    }

    @WriteOperation
    public WebEndpointResponse<Object> change(@Selector String name, WriteStrategy strategy, @Nullable Boolean force,
            @Nullable String reason, @Nullable Principal principal) {
        if (principal == null) {
            return OperatorRequests.forbidden(DualWriteEndpoint.CHANGE_STRATEGY, "dualwrite");
        }
        try {
            StrategyChange change = this.delegate.change(name, strategy, force, reason, principal);
            if (change == null) {
                return notFound(name);
            }
            return new WebEndpointResponse<>(change);
        }
        catch (StrategyChangeException ex) {
            return OperatorRequests.refused(ex.getMessage(), OperatorRequests.STATUS_CONFLICT);
        }
    }

    @WriteOperation
    public WebEndpointResponse<Object> changeReads(@Selector String name, @Selector String reads,
            @Nullable Integer readPercent, @Nullable String method, @Nullable Integer shadowReadPercent,
            @Nullable Principal principal) {
        if (principal == null) {
            return OperatorRequests.forbidden(DualWriteEndpoint.CHANGE_READS, "dualwrite");
        }
        try {
            ReadRouting routing = this.delegate.changeReads(name, reads, readPercent, method, shadowReadPercent,
                    principal);
            if (routing == null) {
                return notFound(name);
            }
            return new WebEndpointResponse<>(routing);
        }
        catch (StrategyChangeException ex) {
            return OperatorRequests.refused(ex.getMessage(), OperatorRequests.STATUS_CONFLICT);
        }
    }

    private WebEndpointResponse<Object> notFound(String name) {
        return OperatorRequests.refused("No paired repository is named '" + name
                + "'; paired repositories: " + this.delegate.pairedNames(),
                WebEndpointResponse.STATUS_NOT_FOUND);
    }

}
