package dev.dualwrite.backfill;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * {@link BackfillHostApplication} secured as an ordinary web application is: a
 * {@link SecurityFilterChain} of its own (HTTP Basic, the actuator for one role), written
 * without any thought of one-shot runs. Started as a child process by
 * {@link OneShotRunsInASecuredApplicationTests}.
 */
public final class SecuredHostApplication {

    private SecuredHostApplication() {
    }

    public static void main(String[] args) {
        SpringApplication.run(new Class<?>[] { BackfillHostApplication.class, Security.class }, args);
    }

    @Configuration(proxyBeanMethods = false)
    static class Security {

        @Bean
        SecurityFilterChain security(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests((requests) -> requests
                .requestMatchers(EndpointRequest.toAnyEndpoint()).hasRole("OPERATOR")
                .anyRequest().permitAll())
                .httpBasic(Customizer.withDefaults())
                .build();
        }

        @Bean
        InMemoryUserDetailsManager users() {
            return new InMemoryUserDetailsManager(
                    User.withUsername("operator").password("{noop}secret").roles("OPERATOR").build());
        }

    }

}
