package dev.dualwrite.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;

/**
 * Explains a one-shot run ({@code dual-write.backfill.run}, {@code dual-write.verify.run},
 * {@code dual-write.inventory.run})
 * that could not start because the application was started without a web server
 * ({@code spring.main.web-application-type=none}) while one of its beans, typically its
 * {@code SecurityFilterChain}, needs Spring Security's {@code HttpSecurity}, which Spring Boot
 * creates only in a servlet web application. Spring Boot's own analysis would advise defining
 * an {@code HttpSecurity} bean, which is not the fix.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class OneShotWithoutWebServerFailureAnalyzer extends AbstractFailureAnalyzer<NoSuchBeanDefinitionException> {

    // By name: Spring Security is not a dependency of the starter.
    private static final String HTTP_SECURITY = "org.springframework.security.config.annotation.web.builders.HttpSecurity";

    private static final List<String> RUN_PROPERTIES = List.of("dual-write.backfill.run", "dual-write.verify.run",
            "dual-write.inventory.run");

    private final Environment environment;

    OneShotWithoutWebServerFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected @Nullable FailureAnalysis analyze(Throwable rootFailure, NoSuchBeanDefinitionException cause) {
        Class<?> missing = cause.getBeanType();
        String runs = oneShotRuns();
        if (missing == null || !HTTP_SECURITY.equals(missing.getName()) || runs.isEmpty()) {
            return null;
        }
        String description = String.format("The one-shot run (%s) could not start: %s needs Spring Security's "
                + "HttpSecurity, which Spring Boot creates only in a servlet web application, and the application "
                + "was started without a web server (spring.main.web-application-type=none).", runs,
                needingBean(rootFailure, cause));
        String action = "Start the one-shot run as the application normally runs, with its web server on a free "
                + "port: replace --spring.main.web-application-type=none with --server.port=0 (and, if the actuator "
                + "has a port of its own, --management.server.port=0). Or, to keep running without a web server, "
                + "annotate the application's security configuration with @ConditionalOnWebApplication.";
        return new FailureAnalysis(description, action, cause);
    }

    private String oneShotRuns() {
        Binder binder = Binder.get(this.environment);
        List<String> runs = new ArrayList<>();
        for (String property : RUN_PROPERTIES) {
            List<String> names = binder.bind(property, Bindable.listOf(String.class)).orElse(List.of());
            if (!names.isEmpty()) {
                runs.add(property + "=" + String.join(",", names));
            }
        }
        return String.join(", ", runs);
    }

    // The bean whose creation asked for HttpSecurity: the one whose failure wraps the cause.
    private static String needingBean(Throwable rootFailure, NoSuchBeanDefinitionException cause) {
        for (Throwable failure = rootFailure; failure != null && failure != cause; failure = failure.getCause()) {
            if (failure instanceof BeanCreationException creation && creation.getCause() == cause
                    && creation.getBeanName() != null) {
                return "bean '" + creation.getBeanName() + "'";
            }
        }
        return "a bean of the application";
    }

}
