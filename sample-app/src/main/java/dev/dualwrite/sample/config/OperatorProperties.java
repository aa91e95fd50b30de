package dev.dualwrite.sample.config;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The operator account, the only one allowed on actuator endpoints other than health and
 * info (notably {@code dualwrite}, which changes write strategies).
 * @param username user name of the operator
 * @param password password of the operator; when unset, the environment variable
 * {@code SAMPLE_OPERATOR_PASSWORD} (relaxed binding), else {@link #DEMO_PASSWORD}
 */
@ConfigurationProperties("sample.operator")
public record OperatorProperties(@DefaultValue("operator") String username, @Nullable String password) {

    /** The documented demo password, used only when no password is configured. */
    public static final String DEMO_PASSWORD = "change-me";

    /** Return the configured password, or the demo password when none is set. */
    public String effectivePassword() {
        return (this.password != null && !this.password.isBlank()) ? this.password : DEMO_PASSWORD;
    }

    /** Return whether no password is configured, so the demo password is in use. */
    public boolean usesDemoPassword() {
        return this.password == null || this.password.isBlank();
    }

}
