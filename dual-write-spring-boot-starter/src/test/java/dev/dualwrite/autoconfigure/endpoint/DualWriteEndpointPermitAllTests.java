package dev.dualwrite.autoconfigure.endpoint;

import java.net.http.HttpResponse;

import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the {@code dualwrite} actuator endpoint in a host whose Spring Security lets
 * everyone through to the actuator: the anonymous user Spring Security then puts in place
 * must not count as a caller who may change strategies.
 */
@SpringBootTest(classes = { WidgetHostApplication.class, DualWriteEndpointPermitAllTests.OpenActuator.class },
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=dualwrite",
                "spring.flyway.locations=classpath:db/autoconf/host" })
@DirtiesContext
class DualWriteEndpointPermitAllTests extends EndpointHostTests {

    private static final TestSchema schema = TestSchema.create(DualWriteEndpointPermitAllTests.class);

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        FixtureStores.register(schema, registry);
    }

    @AfterAll
    static void dropSchemaAndKeys() {
        schema.close();
        FixtureStores.deleteRedisKeys();
    }

    @Test
    void anonymousChangeIsRefusedAndChangesNothing() {
        HttpResponse<String> response = client().post("/" + WIDGETS, "{\"strategy\":\"DUAL\"}",
                null, null);
        assertThat(this.strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.REDIS_PRIMARY);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("Changing a strategy needs an authenticated caller");
    }

    @Test
    void anonymousReadRoutingChangeIsRefusedWithAMessageAboutReadRouting() {
        HttpResponse<String> response = client().post("/" + WIDGETS + "/reads", "{\"readPercent\":10}", null, null);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(EndpointClient.body(response).get("message").asString())
            .startsWith("Changing read routing needs an authenticated caller");
    }

    @Test
    void authenticatedChangeIsApplied() {
        HttpResponse<String> response = client().post("/" + WIDGETS, "{\"strategy\":\"DUAL\"}",
                "operator", "operator-secret");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(this.strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.DUAL);
    }

    @Configuration(proxyBeanMethods = false)
    static class OpenActuator {

        @Bean
        SecurityFilterChain openActuator(HttpSecurity http) throws Exception {
            return http.securityMatcher(EndpointRequest.toAnyEndpoint())
                .authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
                .httpBasic(Customizer.withDefaults())
                .csrf(AbstractHttpConfigurer::disable)
                .build();
        }

        @Bean
        InMemoryUserDetailsManager users() {
            return new InMemoryUserDetailsManager(User.withUsername("operator")
                .password("{noop}operator-secret")
                .roles("DUALWRITE_OPERATOR")
                .build());
        }

    }

}
