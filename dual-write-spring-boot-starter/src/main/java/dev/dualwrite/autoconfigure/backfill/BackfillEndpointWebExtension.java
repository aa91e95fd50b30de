package dev.dualwrite.autoconfigure.backfill;

import java.security.Principal;
import java.util.List;

import dev.dualwrite.autoconfigure.endpoint.OperatorRequests;
import dev.dualwrite.core.backfill.Backfill;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The HTTP form of {@link BackfillEndpoint}'s changes: 403 when no authenticated caller
 * reaches it (the application's security let an anonymous request through), 404 for a name that is no paired repository or when no job is running to
 * control, 409 when a job is already running or a repository is not at stage {@code DUAL},
 * 400 for a bad option or command.
 */
@EndpointWebExtension(endpoint = BackfillEndpoint.class)
public class BackfillEndpointWebExtension {

    private final BackfillEndpoint delegate;

    public BackfillEndpointWebExtension(BackfillEndpoint delegate) {
        this.delegate = delegate;
    }

    @WriteOperation
    public WebEndpointResponse<Object> start(@Nullable String repositories, @Nullable String keyPattern,
            @Nullable Integer batchSize, @Nullable Integer parallelism, @Nullable Double rateLimit,
            @Nullable Boolean dryRun, @Nullable Boolean failFast, @Nullable Boolean restart, @Nullable String mode,
            @Nullable Principal principal) {
        if (principal == null) {
            return OperatorRequests.forbidden("Starting or controlling a backfill", "dualwritebackfill");
        }
        try {
            return new WebEndpointResponse<>(this.delegate.start(repositories, keyPattern, batchSize, parallelism,
                    rateLimit, dryRun, failFast, restart, mode, principal));
        }
        catch (InvalidEndpointRequestException ex) {
            return OperatorRequests.refused(ex.getMessage(), WebEndpointResponse.STATUS_BAD_REQUEST);
        }
        catch (IllegalArgumentException ex) {
            return OperatorRequests.refused(ex.getMessage(), WebEndpointResponse.STATUS_NOT_FOUND);
        }
        catch (IllegalStateException ex) {
            // A job already running on this instance, or a BackfillStageException: a
            // repository not at stage DUAL. Either way nothing was started.
            return OperatorRequests.refused(ex.getMessage(), OperatorRequests.STATUS_CONFLICT);
        }
    }

    @WriteOperation
    public WebEndpointResponse<Object> control(@Selector String command, @Nullable Double rateLimit,
            @Nullable Principal principal) {
        if (principal == null) {
            return OperatorRequests.forbidden("Starting or controlling a backfill", "dualwritebackfill");
        }
        try {
            Object status = this.delegate.control(command, rateLimit, principal);
            if (status == null) {
                return OperatorRequests.refused("No backfill job is running on this instance",
                        WebEndpointResponse.STATUS_NOT_FOUND);
            }
            return new WebEndpointResponse<>(status);
        }
        catch (InvalidEndpointRequestException ex) {
            return OperatorRequests.refused(ex.getMessage(), WebEndpointResponse.STATUS_BAD_REQUEST);
        }
    }

    @WriteOperation
    public WebEndpointResponse<Object> repositoryCommand(@Selector String name, @Selector String command,
            @Nullable Principal principal) {
        if (principal == null) {
            return OperatorRequests.forbidden("Starting or controlling a backfill", "dualwritebackfill");
        }
        try {
            Backfill.RetryReport report = this.delegate.repositoryCommand(name, command, principal);
            if (report == null) {
                return OperatorRequests.refused("No paired repository is named '" + name
                        + "'; paired repositories: " + this.delegate.repositories(), WebEndpointResponse.STATUS_NOT_FOUND);
            }
            return new WebEndpointResponse<>(report);
        }
        catch (InvalidEndpointRequestException ex) {
            return OperatorRequests.refused(ex.getMessage(), WebEndpointResponse.STATUS_BAD_REQUEST);
        }
        catch (IllegalStateException ex) {
            return OperatorRequests.refused(ex.getMessage(), OperatorRequests.STATUS_CONFLICT);
        }
    }

}
