package dev.dualwrite.autoconfigure.verify;

import java.security.Principal;

import dev.dualwrite.autoconfigure.endpoint.OperatorRequests;
import dev.dualwrite.core.verify.ReportRepair.RepairOutcome;
import dev.dualwrite.core.verify.VerificationRuns.RunStatus;
import dev.dualwrite.core.verify.VerifyMode;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The HTTP form of {@link DualWriteVerifyEndpoint}'s operations that change something: 403
 * when no authenticated caller reaches it (the application's security let an anonymous
 * request through), 404 for an unknown repository or run (or a run whose
 * report is not ready), 400 for invalid options, 202 for a started verification.
 */
@EndpointWebExtension(endpoint = DualWriteVerifyEndpoint.class)
public class DualWriteVerifyEndpointWebExtension {

    private final DualWriteVerifyEndpoint delegate;

    /**
     * @param delegate the endpoint this one answers for over HTTP
     */
    public DualWriteVerifyEndpointWebExtension(DualWriteVerifyEndpoint delegate) {
        this.delegate = delegate;
    }

    @WriteOperation
    public WebEndpointResponse<Object> start(String repository, @Nullable VerifyMode mode,
            @Nullable Double samplePercent, @Nullable Long sampleCount, @Nullable Boolean includeValues,
            @Nullable Principal principal) {
        if (principal == null) {
            return OperatorRequests.forbidden("Starting a verification or a repair", "dualwriteverify");
        }
        RunStatus status;
        try {
            status = this.delegate.start(repository, mode, samplePercent, sampleCount, includeValues, principal);
        }
        catch (IllegalArgumentException ex) {
            return OperatorRequests.refused(ex.getMessage(), WebEndpointResponse.STATUS_BAD_REQUEST);
        }
        if (status == null) {
            return OperatorRequests.refused("No paired repository is named '" + repository + "'",
                    WebEndpointResponse.STATUS_NOT_FOUND);
        }
        return new WebEndpointResponse<>(status, OperatorRequests.STATUS_ACCEPTED);
    }

    @WriteOperation
    public WebEndpointResponse<Object> repair(@Selector String id, @Nullable Boolean dryRun,
            @Nullable Principal principal) {
        if (principal == null) {
            return OperatorRequests.forbidden("Starting a verification or a repair", "dualwriteverify");
        }
        RepairOutcome outcome = this.delegate.repair(id, dryRun, principal);
        if (outcome == null) {
            return OperatorRequests.refused("No finished verification has id '" + id
                    + "'; GET /actuator/dualwriteverify lists them", WebEndpointResponse.STATUS_NOT_FOUND);
        }
        return new WebEndpointResponse<>(outcome);
    }

}
