package dev.dualwrite.sample;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import dev.dualwrite.sample.subscription.redis.SubscriptionRepository;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code mixed} profile: two repositories at different stages from properties alone.
 * Tokens stay on Redis; subscriptions, in the {@code @RedisHash} shape, are written to both
 * stores.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "sample.operator.username=ops", "sample.operator.password=mixed-up" })
@ActiveProfiles("mixed")
@DirtiesContext
class MixedStrategiesTests extends SampleHttpTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(MixedStrategiesTests.class);

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(MixedStrategiesTests.class);

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        SampleTestServers.register(registry, schema, keys);
    }

    @Autowired
    SubscriptionRepository subscriptions;

    @Test
    void eachRepositoryFollowsItsOwnStrategy() {
        this.http.get().uri("/actuator/dualwrite").headers((headers) -> headers.setBasicAuth("ops", "mixed-up"))
            .exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.repositories.tokens.strategy").isEqualTo("REDIS_PRIMARY")
            .jsonPath("$.repositories.subscriptions.strategy").isEqualTo("DUAL");

        String id = "mixed-" + UUID.randomUUID();
        this.http.put().uri("/tokens/{id}", id).contentType(MediaType.APPLICATION_JSON)
            .body(RequestBodies.token(id, "0x" + "3".repeat(40)))
            .exchange()
            .expectStatus().isCreated();
        assertThat(this.redis.hasKey(SampleTestServers.tokenKey(keys, id))).isTrue();
        assertThat(this.jdbc.sql("SELECT count(*) FROM tokens").query(Long.class).single()).isZero();

        String email = "mixed-" + UUID.randomUUID() + "@example.com";
        long fid = ThreadLocalRandom.current().nextLong(1_000_000_000L, Long.MAX_VALUE / 2);
        try {
            this.http.put().uri("/subscriptions/{email}", email).contentType(MediaType.APPLICATION_JSON)
                .body(RequestBodies.subscription("monthly", fid))
                .exchange()
                .expectStatus().isCreated();
            assertThat(this.redis.opsForHash().get("subscriptions:" + email, "plan")).isEqualTo("monthly");
            assertThat(this.jdbc.sql("SELECT plan FROM subscriptions WHERE email = ? AND fid = ?")
                .params(email, fid)
                .query(String.class)
                .optional()).contains("monthly");
        }
        finally {
            // DUAL: the delete reaches both stores, the keyspace set and the fid index too.
            this.subscriptions.deleteAllById(List.of(email));
        }
        assertThat(this.redis.hasKey("subscriptions:" + email)).isFalse();
        assertThat(this.jdbc.sql("SELECT count(*) FROM subscriptions").query(Long.class).single()).isZero();
    }

}
