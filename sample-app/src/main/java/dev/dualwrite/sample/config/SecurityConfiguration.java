package dev.dualwrite.sample.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Who may call what: the token and subscription API is open (this is a demo), so are the
 * actuator's health and info; every other actuator endpoint, notably {@code dualwrite} which
 * moves write strategies, needs HTTP Basic as a user with role {@code OPERATOR}.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    /** The role that may read and change the migration through the actuator. */
    static final String OPERATOR = "OPERATOR";

    private static final Logger logger = LoggerFactory.getLogger(SecurityConfiguration.class);

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests((requests) -> requests
            .requestMatchers(EndpointRequest.to("health", "info")).permitAll()
            .requestMatchers(EndpointRequest.toAnyEndpoint()).hasRole(OPERATOR)
            .anyRequest().permitAll());
        http.httpBasic(Customizer.withDefaults());
        // Stateless: callers are scripts and operators' tools sending HTTP Basic, no session
        // cookie exists. These paths take JSON only, which a cross-site page cannot send without
        // a CORS preflight that this application never allows, so CSRF tokens add nothing.
        http.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        http.csrf((csrf) -> csrf.ignoringRequestMatchers(EndpointRequest.toAnyEndpoint(),
                PathPatternRequestMatcher.pathPattern("/tokens/**"), PathPatternRequestMatcher.pathPattern("/tokens"),
                PathPatternRequestMatcher.pathPattern("/subscriptions/**"),
                PathPatternRequestMatcher.pathPattern("/subscriptions"),
                PathPatternRequestMatcher.pathPattern("/clients/**")));
        return http.build();
    }

    @Bean
    InMemoryUserDetailsManager users(OperatorProperties operator) {
        if (operator.usesDemoPassword()) {
            // Says that the documented demo password is in use, never what a password is.
            logger.warn("Operator '{}' has the documented demo password; set SAMPLE_OPERATOR_PASSWORD or "
                    + "sample.operator.password before exposing this service", operator.username());
        }
        PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        return new InMemoryUserDetailsManager(User.withUsername(operator.username())
            .password(encoder.encode(operator.effectivePassword()))
            .roles(OPERATOR)
            .build());
    }

}
