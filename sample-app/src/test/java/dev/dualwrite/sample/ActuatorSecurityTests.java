package dev.dualwrite.sample;

import java.time.Duration;

import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;

import static org.awaitility.Awaitility.await;

/**
 * Who may call what: health and info are open, every other actuator endpoint needs the
 * operator, and above all nobody else may change a write strategy.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "sample.operator.username=ops", "sample.operator.password=s3cret-for-tests" })
@DirtiesContext
class ActuatorSecurityTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(ActuatorSecurityTests.class);

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(ActuatorSecurityTests.class);

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        SampleTestServers.register(registry, schema, keys);
        // The operator's inventory scans only this class's keys, not the whole shared Redis.
        registry.add("dual-write.inventory.match", () -> keys.prefix() + "*");
    }

    @LocalServerPort
    int port;

    RestTestClient http;

    @BeforeEach
    void client(@Autowired InMemoryUserDetailsManager users) {
        this.http = RestTestClient.bindToServer().baseUrl("http://localhost:" + this.port).build();
        // An authenticated user who is not an operator.
        if (!users.userExists("visitor")) {
            users.createUser(User.withUsername("visitor").password("{noop}visitor-pass").roles("VISITOR").build());
        }
    }

    @Test
    void healthAndInfoAreOpen() {
        this.http.get().uri("/actuator/health").exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.status").isEqualTo("UP");
        this.http.get().uri("/actuator/info").exchange().expectStatus().isOk();
    }

    @Test
    void otherEndpointsNeedTheOperator() {
        this.http.get().uri("/actuator/metrics").exchange().expectStatus().isUnauthorized();
        this.http.get().uri("/actuator/dualwrite").exchange().expectStatus().isUnauthorized();
        this.http.get().uri("/actuator/dualwrite").headers((h) -> h.setBasicAuth("visitor", "visitor-pass"))
            .exchange()
            .expectStatus().isForbidden();
        this.http.get().uri("/actuator/metrics").headers((h) -> h.setBasicAuth("ops", "s3cret-for-tests"))
            .exchange()
            .expectStatus().isOk();
    }

    @Test
    void backfillAndVerifyAreExposedToTheOperatorOnly() {
        for (String endpoint : new String[] { "/actuator/dualwritebackfill", "/actuator/dualwriteverify" }) {
            this.http.get().uri(endpoint).exchange().expectStatus().isUnauthorized();
            this.http.post().uri(endpoint).contentType(MediaType.APPLICATION_JSON)
                .body("{\"repositories\":\"tokens\",\"repository\":\"tokens\"}")
                .exchange()
                .expectStatus().isUnauthorized();
            this.http.get().uri(endpoint).headers((h) -> h.setBasicAuth("visitor", "visitor-pass"))
                .exchange()
                .expectStatus().isForbidden();
            this.http.get().uri(endpoint).headers((h) -> h.setBasicAuth("ops", "s3cret-for-tests"))
                .exchange()
                .expectStatus().isOk();
        }
    }

    @Test
    void theInventoryIsStartedAndReadByTheOperatorOnly() {
        this.http.get().uri("/actuator/dualwriteinventory").exchange().expectStatus().isUnauthorized();
        this.http.post().uri("/actuator/dualwriteinventory").contentType(MediaType.APPLICATION_JSON)
            .body("{\"reason\":\"anonymous\"}")
            .exchange()
            .expectStatus().isUnauthorized();
        this.http.get().uri("/actuator/dualwriteinventory/tokens")
            .headers((h) -> h.setBasicAuth("visitor", "visitor-pass"))
            .exchange()
            .expectStatus().isForbidden();
        this.http.post().uri("/actuator/dualwriteinventory").contentType(MediaType.APPLICATION_JSON)
            .headers((h) -> h.setBasicAuth("visitor", "visitor-pass"))
            .body("{\"reason\":\"curious\"}")
            .exchange()
            .expectStatus().isForbidden();

        this.http.post().uri("/actuator/dualwriteinventory").contentType(MediaType.APPLICATION_JSON)
            .headers((h) -> h.setBasicAuth("ops", "s3cret-for-tests"))
            .body("{\"reason\":\"sizing the migration\"}")
            .exchange()
            .expectStatus().isAccepted()
            .expectBody().jsonPath("$.startedBy").isEqualTo("ops");
        await("the operator's inventory to finish").atMost(Duration.ofSeconds(30)).untilAsserted(() -> this.http.get()
            .uri("/actuator/dualwriteinventory/tokens")
            .headers((h) -> h.setBasicAuth("ops", "s3cret-for-tests"))
            .exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.last.state").isEqualTo("COMPLETED")
            .jsonPath("$.last.startedBy").isEqualTo("ops")
            .jsonPath("$.last.report.repositories[0].repository").isEqualTo("tokens"));
    }

    @Test
    void changingAStrategyIsRefusedToAnonymousCallers() {
        this.http.post().uri("/actuator/dualwrite/tokens").contentType(MediaType.APPLICATION_JSON)
            .body("{\"strategy\":\"DUAL\"}")
            .exchange()
            .expectStatus().isUnauthorized()
            .expectHeader().valueMatches("WWW-Authenticate", "Basic.*");
    }

    @Test
    void changingAStrategyIsRefusedToWrongPasswordsAndToUsersWithoutTheOperatorRole() {
        this.http.post().uri("/actuator/dualwrite/tokens").contentType(MediaType.APPLICATION_JSON)
            .headers((h) -> h.setBasicAuth("ops", "wrong"))
            .body("{\"strategy\":\"DUAL\"}")
            .exchange()
            .expectStatus().isUnauthorized();
        this.http.post().uri("/actuator/dualwrite/tokens").contentType(MediaType.APPLICATION_JSON)
            .headers((h) -> h.setBasicAuth("visitor", "visitor-pass"))
            .body("{\"strategy\":\"DUAL\"}")
            .exchange()
            .expectStatus().isForbidden();
    }

    @Test
    void theOperatorChangesAStrategyAndBack() {
        this.http.post().uri("/actuator/dualwrite/tokens").contentType(MediaType.APPLICATION_JSON)
            .headers((h) -> h.setBasicAuth("ops", "s3cret-for-tests"))
            .body("{\"strategy\":\"DUAL\"}")
            .exchange()
            .expectStatus().isOk();
        this.http.get().uri("/actuator/dualwrite/tokens").headers((h) -> h.setBasicAuth("ops", "s3cret-for-tests"))
            .exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.strategy").isEqualTo("DUAL");

        this.http.post().uri("/actuator/dualwrite/tokens").contentType(MediaType.APPLICATION_JSON)
            .headers((h) -> h.setBasicAuth("ops", "s3cret-for-tests"))
            .body("{\"strategy\":\"REDIS_PRIMARY\"}")
            .exchange()
            .expectStatus().isOk();
    }

    @Test
    void theApiStaysOpenWithoutCredentials() {
        this.http.get().uri("/tokens?holder=0x" + "0".repeat(40)).exchange().expectStatus().isOk();
        this.http.get().uri("/subscriptions?fid=1").exchange().expectStatus().isOk();
    }

}
