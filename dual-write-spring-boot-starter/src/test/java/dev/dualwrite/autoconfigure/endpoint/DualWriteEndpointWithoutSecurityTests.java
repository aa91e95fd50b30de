package dev.dualwrite.autoconfigure.endpoint;

import java.net.http.HttpResponse;

import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for the {@code dualwrite} actuator endpoint exposed over HTTP in a host without
 * Spring Security: anyone may read, but no anonymous caller may change a strategy.
 */
@SpringBootTest(classes = WidgetHostApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=dualwrite",
                "spring.flyway.locations=classpath:db/autoconf/host",
                "spring.autoconfigure.exclude=" + DualWriteEndpointWithoutSecurityTests.SECURITY })
@DirtiesContext
class DualWriteEndpointWithoutSecurityTests extends EndpointHostTests {

    static final String SECURITY = "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.actuate.web.servlet."
            + "ManagementWebSecurityAutoConfiguration";

    private static final TestSchema schema = TestSchema.create(DualWriteEndpointWithoutSecurityTests.class);

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
    void anonymousReadIsAllowed() {
        HttpResponse<String> response = client().get("", null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(EndpointClient.body(response).get("repositories").get(WIDGETS).get("strategy").asString())
            .isEqualTo("REDIS_PRIMARY");
    }

    @Test
    void anonymousChangeIsRefusedAndChangesNothing() {
        HttpResponse<String> response = client().post("/" + WIDGETS, "{\"strategy\":\"DUAL\"}",
                null, null);
        // The actuator passes a null Principal for an anonymous caller instead of refusing the
        // call: the endpoint itself must refuse, before anything changes.
        assertThat(this.strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.REDIS_PRIMARY);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("Changing a strategy needs an authenticated caller");
    }

    @Test
    void anonymousForcedChangeIsRefusedAndChangesNothing() {
        HttpResponse<String> response = client().post("/" + WIDGETS,
                "{\"strategy\":\"POSTGRES_ONLY\",\"force\":true}", null, null);
        assertThat(this.strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.REDIS_PRIMARY);
        assertThat(response.statusCode()).isEqualTo(403);
    }

    @Test
    void endpointRefusesAChangeWithoutPrincipalWhateverTheTechnology(@Autowired DualWriteEndpoint endpoint) {
        // What JMX, which knows no caller, would reach.
        assertThatExceptionOfType(InvalidEndpointRequestException.class)
            .isThrownBy(() -> endpoint.change(WIDGETS, WriteStrategy.DUAL, null, null, null))
            .withMessageContaining("needs an authenticated caller");
        assertThat(this.strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.REDIS_PRIMARY);
    }

}
