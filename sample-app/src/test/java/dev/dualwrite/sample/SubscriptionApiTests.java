package dev.dualwrite.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import dev.dualwrite.sample.subscription.redis.SubscriptionRepository;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The subscription API over HTTP, at the default strategy (REDIS_PRIMARY). Subscriptions
 * live in the shared {@code subscriptions} keyspace, so each test uses fresh e-mail
 * addresses and Farcaster ids and deletes what it created.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@DirtiesContext
class SubscriptionApiTests extends SampleHttpTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(SubscriptionApiTests.class);

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(SubscriptionApiTests.class);

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        SampleTestServers.register(registry, schema, keys);
    }

    @Autowired
    SubscriptionRepository subscriptions;

    final List<String> created = new ArrayList<>();

    @AfterEach
    void deleteCreated() {
        // Through the repository, which also removes the keyspace set member and the fid index.
        this.subscriptions.deleteAllById(this.created);
    }

    @Test
    void putReadFindByFidAndDeleteASubscription() {
        String email = newEmail();
        long fid = newFid();

        this.http.put().uri("/subscriptions/{email}", email).contentType(MediaType.APPLICATION_JSON)
            .body(RequestBodies.subscription("monthly", fid))
            .exchange()
            .expectStatus().isCreated()
            .expectBody()
            .jsonPath("$.email").isEqualTo(email)
            .jsonPath("$.startedAt").isEqualTo("2025-06-01T00:00:00Z");

        this.http.get().uri("/subscriptions/{email}", email).exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.plan").isEqualTo("monthly")
            .jsonPath("$.fid").isEqualTo(fid)
            .jsonPath("$.expiresAt").isEqualTo("2025-07-01T00:00:00Z");

        this.http.put().uri("/subscriptions/{email}", email).contentType(MediaType.APPLICATION_JSON)
            .body(RequestBodies.subscription("yearly", fid))
            .exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.plan").isEqualTo("yearly");

        this.http.get().uri("/subscriptions?fid={fid}", fid).exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.length()").isEqualTo(1)
            .jsonPath("$[0].email").isEqualTo(email)
            .jsonPath("$[0].plan").isEqualTo("yearly");

        // The @RedisHash shape: one hash per subscription, under the keyspace.
        assertThat(this.redis.opsForHash().get("subscriptions:" + email, "plan")).isEqualTo("yearly");
        // REDIS_PRIMARY: PostgreSQL is not touched.
        assertThat(this.jdbc.sql("SELECT count(*) FROM subscriptions").query(Long.class).single()).isZero();

        this.http.delete().uri("/subscriptions/{email}", email).exchange().expectStatus().isNoContent();
        this.http.get().uri("/subscriptions/{email}", email).exchange()
            .expectStatus().isNotFound()
            .expectBody().jsonPath("$.detail").isEqualTo("Subscription of '" + email + "' not found");
        this.http.get().uri("/subscriptions?fid={fid}", fid).exchange().expectBody().json("[]");
        assertThat(this.redis.hasKey("subscriptions:" + email)).isFalse();
    }

    @Test
    void invalidRequestsAreRefusedWithTheFieldNamed() {
        this.http.put().uri("/subscriptions/{email}", "not-an-email").contentType(MediaType.APPLICATION_JSON)
            .body(RequestBodies.subscription("monthly", newFid()))
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.errors[0].field").isEqualTo("email");

        Map<String, Object> noPlan = RequestBodies.subscription("monthly", newFid());
        noPlan.remove("plan");
        this.http.put().uri("/subscriptions/{email}", newEmail()).contentType(MediaType.APPLICATION_JSON)
            .body(noPlan)
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.errors[0].field").isEqualTo("plan")
            .jsonPath("$.detail").isEqualTo("Invalid request: plan must not be blank");

        this.http.get().uri("/subscriptions?fid=abc").exchange()
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.errors[0].field").isEqualTo("fid");

        this.http.delete().uri("/subscriptions/{email}", newEmail()).exchange().expectStatus().isNotFound();
    }

    private String newEmail() {
        String email = "sub-" + UUID.randomUUID() + "@example.com";
        this.created.add(email);
        return email;
    }

    private static long newFid() {
        return ThreadLocalRandom.current().nextLong(1_000_000_000L, Long.MAX_VALUE / 2);
    }

}
