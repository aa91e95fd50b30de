package dev.dualwrite.autoconfigure.endpoint;

import java.security.Principal;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * What dual-write's actuator endpoints share for operations that change something: they need
 * an identified caller, and over HTTP a request that is not carried out gets a status and a
 * message the operator can act on.
 * <p>
 * The actuator passes {@code null} for a caller it cannot identify (an anonymous HTTP request,
 * any JMX call) rather than refusing the call, so each such operation checks for itself,
 * before anything changes.
 */
public final class OperatorRequests {

    public static final int STATUS_ACCEPTED = 202;

    public static final int STATUS_FORBIDDEN = 403;

    public static final int STATUS_CONFLICT = 409;

    private OperatorRequests() {
    }

    /**
     * Refuse a call without an identified caller.
     * @param principal the caller, {@code null} when the actuator could not identify one
     * @param action what the call would do, e.g. "Changing a strategy"
     * @param endpoint the endpoint id, e.g. {@code dualwrite}
     * @throws InvalidEndpointRequestException when there is no caller
     */
    public static void requireCaller(@Nullable Principal principal, String action, String endpoint) {
        if (principal == null) {
            String message = anonymousRefused(action, endpoint);
            throw new InvalidEndpointRequestException(message, message);
        }
    }

    /**
     * Return the HTTP answer to a call without an identified caller.
     * @param action what the call would do
     * @param endpoint the endpoint id
     * @return a 403 with the reason
     */
    public static WebEndpointResponse<Object> forbidden(String action, String endpoint) {
        return refused(anonymousRefused(action, endpoint), STATUS_FORBIDDEN);
    }

    /**
     * Return the HTTP answer to a request that was not carried out.
     * @param message what happened and what the operator can do
     * @param status the HTTP status
     * @return the answer
     */
    public static WebEndpointResponse<Object> refused(@Nullable String message, int status) {
        return new WebEndpointResponse<>(new Refusal(String.valueOf(message)), status);
    }

    private static String anonymousRefused(String action, String endpoint) {
        return action + " needs an authenticated caller: secure /actuator/" + endpoint
                + " with Spring Security (for example HTTP Basic and a role) and send credentials";
    }

    /**
     * Why a request was not carried out.
     * @param message what happened and what the operator can do
     */
    public record Refusal(String message) {
    }

}
