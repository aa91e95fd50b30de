package dev.dualwrite.autoconfigure.endpoint;

import java.net.http.HttpResponse;

import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the {@code dualwrite} actuator endpoint behind Spring Boot's default security
 * (no security configuration of the host's own, one user from properties): reads need a
 * login, and a change is refused even with one (401), because the default configuration
 * expects a CSRF token on every POST. Hosts that change strategies from scripts configure the actuator
 * as {@link DualWriteEndpointTests} does.
 */
@SpringBootTest(classes = WidgetHostApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=dualwrite",
                "spring.flyway.locations=classpath:db/autoconf/host", "spring.security.user.name=operator",
                "spring.security.user.password=operator-secret" })
@DirtiesContext
class DualWriteEndpointDefaultSecurityTests extends EndpointHostTests {

    private static final TestSchema schema = TestSchema.create(DualWriteEndpointDefaultSecurityTests.class);

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
    void readNeedsALogin() {
        EndpointClient client = client();
        assertThat(client.get("", null, null).statusCode()).isEqualTo(401);
        assertThat(client.get("", "operator", "operator-secret").statusCode()).isEqualTo(200);
    }

    @Test
    void anonymousChangeIsRefusedAndChangesNothing() {
        HttpResponse<String> response = client().post("/" + WIDGETS, "{\"strategy\":\"DUAL\"}",
                null, null);
        assertThat(this.strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.REDIS_PRIMARY);
        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void authenticatedChangeWithoutCsrfTokenIsRefusedAndChangesNothing() {
        HttpResponse<String> response = client().post("/" + WIDGETS, "{\"strategy\":\"DUAL\"}",
                "operator", "operator-secret");
        assertThat(this.strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.REDIS_PRIMARY);
        // Refused for the missing CSRF token; with Boot's default security it reaches the client as 401.
        assertThat(response.statusCode()).isEqualTo(401);
    }

}
