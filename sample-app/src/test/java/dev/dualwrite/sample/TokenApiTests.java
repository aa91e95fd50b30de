package dev.dualwrite.sample;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.dualwrite.sample.token.Token;
import dev.dualwrite.sample.token.TokenAttribute;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token API over HTTP, at the default strategy (REDIS_PRIMARY): tokens land in Redis as
 * the JSON the service has always written, and PostgreSQL is not touched.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@DirtiesContext
class TokenApiTests extends SampleHttpTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(TokenApiTests.class);

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(TokenApiTests.class);

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        SampleTestServers.register(registry, schema, keys);
    }

    @Test
    void createReadReplaceAndDeleteATokenRoundTripsThroughRedis() {
        String id = newId();
        Map<String, Object> body = RequestBodies.token(id, "0x" + "a".repeat(40));

        Token created = this.http.post().uri("/tokens").contentType(MediaType.APPLICATION_JSON).body(body)
            .exchange()
            .expectStatus().isCreated()
            .expectHeader().location("/tokens/" + id)
            .expectBody(Token.class).returnResult().getResponseBody();
        assertThat(created).isNotNull();
        assertThat(created.attributes()).containsExactly(new TokenAttribute("Background", "Blue"),
                new TokenAttribute("Eyes", "Laser"));
        assertThat(created.timestamp()).isEqualTo(Instant.parse("2025-06-01T12:00:00.123456Z"));

        this.http.get().uri("/tokens/{id}", id).exchange()
            .expectStatus().isOk()
            .expectBody(Token.class).isEqualTo(created);

        Map<String, Object> replacement = RequestBodies.token(id, "0x" + "b".repeat(40));
        replacement.put("holderUsername", "bob");
        this.http.put().uri("/tokens/{id}", id).contentType(MediaType.APPLICATION_JSON).body(replacement)
            .exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.holderUsername").isEqualTo("bob");
        this.http.get().uri("/tokens/{id}", id).exchange()
            .expectBody().jsonPath("$.holderAddress").isEqualTo("0x" + "b".repeat(40));

        this.http.delete().uri("/tokens/{id}", id).exchange().expectStatus().isNoContent();
        this.http.get().uri("/tokens/{id}", id).exchange()
            .expectStatus().isNotFound()
            .expectBody().jsonPath("$.detail").isEqualTo("Token '" + id + "' not found");
        assertThat(this.redis.hasKey(SampleTestServers.tokenKey(keys, id))).isFalse();
    }

    @Test
    void tokensAreStoredAsTheServicesJsonUnderTheirKeyAndPostgresIsUntouched() {
        String id = newId();
        this.http.post().uri("/tokens").contentType(MediaType.APPLICATION_JSON).body(RequestBodies.token(id, "0x" + "c".repeat(40)))
            .exchange()
            .expectStatus().isCreated();

        String json = this.redis.opsForValue().get(SampleTestServers.tokenKey(keys, id));
        assertThat(json).isNotNull()
            .contains("\"id\":\"" + id + "\"")
            .contains("\"holderAddress\":\"0x" + "c".repeat(40) + "\"")
            .contains("\"holderFid\":4242")
            .contains("\"timestamp\":\"2025-06-01T12:00:00.123456Z\"")
            .contains("{\"trait_type\":\"Background\",\"value\":\"Blue\"}")
            .contains("\"totalEligibleReactors\":17");
        // REDIS_PRIMARY: adding the starter changes nothing, PostgreSQL stays empty.
        assertThat(this.jdbc.sql("SELECT count(*) FROM tokens").query(Long.class).single()).isZero();
    }

    @Test
    void creatingATokenThatExistsConflictsAndPutCreatesOrReplaces() {
        String id = newId();
        Map<String, Object> body = RequestBodies.token(id, "0x" + "d".repeat(40));
        this.http.put().uri("/tokens/{id}", id).contentType(MediaType.APPLICATION_JSON).body(body)
            .exchange()
            .expectStatus().isCreated();

        this.http.post().uri("/tokens").contentType(MediaType.APPLICATION_JSON).body(body)
            .exchange()
            .expectStatus().isEqualTo(409)
            .expectBody().jsonPath("$.detail").isEqualTo("Token '" + id + "' already exists; use PUT /tokens/" + id
                    + " to replace it");
    }

    @Test
    void listsAndDeletesTheTokensOfOneHolder() {
        String holder = "0x" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "e".repeat(32);
        String other = "0x" + "f".repeat(40);
        String first = newId();
        String second = newId();
        String third = newId();
        for (String id : List.of(first, second)) {
            this.http.post().uri("/tokens").contentType(MediaType.APPLICATION_JSON).body(RequestBodies.token(id, holder))
                .exchange().expectStatus().isCreated();
        }
        this.http.post().uri("/tokens").contentType(MediaType.APPLICATION_JSON).body(RequestBodies.token(third, other))
            .exchange().expectStatus().isCreated();

        this.http.get().uri("/tokens?holder={holder}", holder).exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$[*].id").value((ids) -> assertThat((List<Object>) ids).containsExactlyInAnyOrder(first, second));

        this.http.delete().uri("/tokens?holder={holder}", holder).exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.deleted").isEqualTo(2);
        this.http.get().uri("/tokens?holder={holder}", holder).exchange()
            .expectBody().json("[]");
        this.http.get().uri("/tokens/{id}", third).exchange().expectStatus().isOk();
    }

    @Test
    void invalidRequestsAreRefusedWithTheFieldNamed() {
        Map<String, Object> noHolder = RequestBodies.token(newId(), "0x" + "a".repeat(40));
        noHolder.remove("holderAddress");
        this.http.post().uri("/tokens").contentType(MediaType.APPLICATION_JSON).body(noHolder)
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.errors[0].field").isEqualTo("holderAddress")
            .jsonPath("$.detail").value((detail) -> assertThat((String) detail).contains("holderAddress"));

        Map<String, Object> badAddress = RequestBodies.token(newId(), "0x1234");
        this.http.post().uri("/tokens").contentType(MediaType.APPLICATION_JSON).body(badAddress)
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.detail")
            .isEqualTo("Invalid request: holderAddress must be 0x followed by 40 hex digits");

        Map<String, Object> badTimestamp = RequestBodies.token(newId(), "0x" + "a".repeat(40));
        badTimestamp.put("timestamp", "yesterday");
        this.http.post().uri("/tokens").contentType(MediaType.APPLICATION_JSON).body(badTimestamp)
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.errors[0].field").isEqualTo("timestamp");

        Map<String, Object> noId = RequestBodies.token(newId(), "0x" + "a".repeat(40));
        noId.remove("id");
        this.http.post().uri("/tokens").contentType(MediaType.APPLICATION_JSON).body(noId)
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.errors[0].field").isEqualTo("id");

        this.http.put().uri("/tokens/{id}", "a-token").contentType(MediaType.APPLICATION_JSON)
            .body(RequestBodies.token("another-token", "0x" + "a".repeat(40)))
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.errors[0].field").isEqualTo("id");

        this.http.get().uri("/tokens").exchange()
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.detail").value((detail) -> assertThat((String) detail).contains("holder"));

        this.http.delete().uri("/tokens/{id}", newId()).exchange().expectStatus().isNotFound();
    }

    private static String newId() {
        return "t-" + UUID.randomUUID();
    }

}
