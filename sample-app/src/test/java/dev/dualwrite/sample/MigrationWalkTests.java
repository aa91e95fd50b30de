package dev.dualwrite.sample;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

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
 * The migration rehearsal over HTTP: the operator walks {@code tokens} through REDIS_PRIMARY,
 * DUAL, POSTGRES_PRIMARY and POSTGRES_ONLY while clients create, replace and delete tokens,
 * and after each step both stores hold exactly what DESIGN.md's strategy table says: which
 * store each write reaches, and which store reads come from. The stores are inspected raw
 * ({@code GET} of the Redis key, SQL on {@code tokens}), never through the application.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "sample.operator.username=ops", "sample.operator.password=walk-the-plank" })
@DirtiesContext
class MigrationWalkTests extends SampleHttpTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(MigrationWalkTests.class);

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(MigrationWalkTests.class);

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        SampleTestServers.register(registry, schema, keys);
    }

    private static final String HOLDER = "0x" + "1".repeat(40);

    private static final String OTHER_HOLDER = "0x" + "2".repeat(40);

    @Test
    void walkingTokensFromRedisToPostgresMovesWritesAndReadsAsTheStrategyTableSays() {
        String a = newId();
        String b = newId();
        String c = newId();
        String probe = newId();

        // REDIS_PRIMARY: Redis only; adding the starter changes nothing, PostgreSQL is untouched.
        assertStrategy("REDIS_PRIMARY");
        put(a, HOLDER, "a-v1");
        put(c, HOLDER, "c-v1");
        put(probe, HOLDER, "probe-v1");
        assertThat(redisUsername(a)).contains("a-v1");
        assertThat(redisUsername(c)).contains("c-v1");
        assertThat(postgresCount()).isZero();

        // DUAL: Redis, then PostgreSQL; reads from Redis.
        changeStrategy("DUAL", false);
        put(b, HOLDER, "b-v1");
        put(a, HOLDER, "a-v2");
        put(probe, HOLDER, "probe-v2");
        delete(c);
        assertThat(redisUsername(b)).contains("b-v1");
        assertThat(postgresUsername(b)).contains("b-v1");
        assertThat(redisUsername(a)).contains("a-v2");
        assertThat(postgresUsername(a)).contains("a-v2");
        assertThat(redisUsername(c)).isEmpty();
        assertThat(postgresUsername(c)).isEmpty();
        // Only PostgreSQL changes: reads still come from Redis.
        setPostgresUsername(probe, "probe-postgres");
        assertThat(httpUsername(probe)).isEqualTo("probe-v2");
        assertNoPendingRepairs();

        // Every token of the REDIS_PRIMARY days was rewritten or deleted in DUAL, so the stores
        // agree without a backfill; force skips the backfill-and-verify gate of the next step.
        // POSTGRES_PRIMARY: PostgreSQL, then Redis (kept warm for rollback); reads from PostgreSQL.
        changeStrategy("POSTGRES_PRIMARY", true);
        String d = newId();
        String e = newId();
        put(d, OTHER_HOLDER, "d-v1");
        put(e, OTHER_HOLDER, "e-v1");
        put(b, HOLDER, "b-v2");
        delete(a);
        assertThat(postgresUsername(d)).contains("d-v1");
        assertThat(redisUsername(d)).contains("d-v1");
        assertThat(postgresUsername(b)).contains("b-v2");
        assertThat(redisUsername(b)).contains("b-v2");
        assertThat(postgresUsername(a)).isEmpty();
        assertThat(redisUsername(a)).isEmpty();
        // The probe now answers from PostgreSQL, which differs from Redis.
        assertThat(httpUsername(probe)).isEqualTo("probe-postgres");
        // A derived delete finds its matches in PostgreSQL and deletes each key in both stores.
        this.http.delete().uri("/tokens?holder={holder}", OTHER_HOLDER).exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.deleted").isEqualTo(2);
        assertThat(postgresUsername(d)).isEmpty();
        assertThat(redisUsername(d)).isEmpty();
        assertThat(postgresUsername(e)).isEmpty();
        assertThat(redisUsername(e)).isEmpty();
        assertNoPendingRepairs();

        // POSTGRES_ONLY: PostgreSQL alone; Redis is no longer touched.
        changeStrategy("POSTGRES_ONLY", false);
        String f = newId();
        put(f, HOLDER, "f-v1");
        put(b, HOLDER, "b-v3");
        delete(probe);
        assertThat(postgresUsername(f)).contains("f-v1");
        assertThat(redisUsername(f)).isEmpty();
        assertThat(postgresUsername(b)).contains("b-v3");
        assertThat(redisUsername(b)).contains("b-v2");
        assertThat(postgresUsername(probe)).isEmpty();
        assertThat(redisUsername(probe)).contains("probe-v2");
        this.http.get().uri("/tokens/{id}", probe).exchange().expectStatus().isNotFound();
        this.http.get().uri("/tokens?holder={holder}", HOLDER).exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$[*].id").value((ids) -> assertThat((List<Object>) ids).containsExactlyInAnyOrder(b, f));
        // Redis is not written, but each key written here is kept for a rollback: f, b, probe.
        assertPendingRepairs(0, 3);
    }

    private void changeStrategy(String strategy, boolean force) {
        this.http.post().uri("/actuator/dualwrite/tokens").contentType(MediaType.APPLICATION_JSON)
            .headers((headers) -> headers.setBasicAuth("ops", "walk-the-plank"))
            .body(force ? Map.of("strategy", strategy, "force", true, "reason", "walk test: stores agree by construction")
                    : Map.of("strategy", strategy))
            .exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.to").isEqualTo(strategy);
        assertStrategy(strategy);
    }

    private void assertStrategy(String strategy) {
        this.http.get().uri("/actuator/dualwrite/tokens").headers((headers) -> headers.setBasicAuth("ops", "walk-the-plank"))
            .exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.strategy").isEqualTo(strategy);
    }

    private void assertNoPendingRepairs() {
        assertPendingRepairs(0, 0);
    }

    private void assertPendingRepairs(int postgres, int redis) {
        this.http.get().uri("/actuator/dualwrite/tokens").headers((headers) -> headers.setBasicAuth("ops", "walk-the-plank"))
            .exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.pendingRepairs.postgres").isEqualTo(postgres)
            .jsonPath("$.pendingRepairs.redis").isEqualTo(redis);
    }

    private void put(String id, String holder, String username) {
        Map<String, Object> token = RequestBodies.token(id, holder);
        token.put("holderUsername", username);
        this.http.put().uri("/tokens/{id}", id).contentType(MediaType.APPLICATION_JSON).body(token)
            .exchange()
            .expectStatus().is2xxSuccessful();
    }

    private void delete(String id) {
        this.http.delete().uri("/tokens/{id}", id).exchange().expectStatus().isNoContent();
    }

    private String httpUsername(String id) {
        Map<?, ?> token = this.http.get().uri("/tokens/{id}", id).exchange()
            .expectStatus().isOk()
            .expectBody(Map.class).returnResult().getResponseBody();
        assertThat(token).isNotNull();
        return (String) token.get("holderUsername");
    }

    /** Return the holder user name in the raw JSON under the token's key, empty when the key is absent. */
    private Optional<String> redisUsername(String id) {
        String json = this.redis.opsForValue().get(SampleTestServers.tokenKey(keys, id));
        if (json == null) {
            return Optional.empty();
        }
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\"holderUsername\":\"([^\"]*)\"").matcher(json);
        assertThat(matcher.find()).as("holderUsername in %s", json).isTrue();
        return Optional.of(matcher.group(1));
    }

    /** Return the holder user name in the token's row, empty when there is no row. */
    private Optional<String> postgresUsername(String id) {
        return this.jdbc.sql("SELECT holder_username FROM tokens WHERE id = ?").param(id).query(String.class).optional();
    }

    private long postgresCount() {
        return this.jdbc.sql("SELECT count(*) FROM tokens").query(Long.class).single();
    }

    private void setPostgresUsername(String id, String username) {
        assertThat(this.jdbc.sql("UPDATE tokens SET holder_username = ? WHERE id = ?").params(username, id).update())
            .isEqualTo(1);
    }

    private static String newId() {
        return "walk-" + UUID.randomUUID();
    }

}
