package dev.dualwrite.autoconfigure.inventory;

import java.security.Principal;

import dev.dualwrite.autoconfigure.endpoint.OperatorRequests;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The HTTP form of {@link DualWriteInventoryEndpoint}'s start: 403 when no authenticated
 * caller reaches it (the application's security let an anonymous request through), 202 with
 * the inventory started or already running.
 */
@EndpointWebExtension(endpoint = DualWriteInventoryEndpoint.class)
public class DualWriteInventoryEndpointWebExtension {

    private final DualWriteInventoryEndpoint delegate;

    /**
     * @param delegate the endpoint this one answers for over HTTP
     */
    public DualWriteInventoryEndpointWebExtension(DualWriteInventoryEndpoint delegate) {
        this.delegate = delegate;
    }

    @WriteOperation
    public WebEndpointResponse<Object> start(@Nullable String reason, @Nullable Principal principal) {
        if (principal == null) {
            return OperatorRequests.forbidden(DualWriteInventoryEndpoint.START, "dualwriteinventory");
        }
        try {
            return new WebEndpointResponse<>(this.delegate.start(reason, principal), OperatorRequests.STATUS_ACCEPTED);
        }
        catch (IllegalStateException ex) {
            return OperatorRequests.refused(ex.getMessage(), OperatorRequests.STATUS_CONFLICT);
        }
    }

}
