package dev.dualwrite.backfill;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
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
import static org.awaitility.Awaitility.await;

/**
 * The {@code dualwritebackfill} endpoint over real HTTP, in a host whose security lets
 * anonymous requests through to the actuator: the endpoint itself must refuse anonymous
 * changes.
 */
@DirtiesContext
@SpringBootTest(classes = { BackfillHostApplication.class, BackfillEndpointTests.PermitAll.class },
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "management.endpoints.web.exposure.include=dualwritebackfill")
class BackfillEndpointTests {

    private static final BackfillFixture stores = new BackfillFixture(BackfillEndpointTests.class);

    private static final JsonMapper json = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    private int port;

    @Autowired
    private StrategySource strategies;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        stores.register(registry);
    }

    @AfterAll
    static void cleanUp() {
        stores.close();
    }

    @BeforeEach
    void clean() {
        stores.clear();
        this.strategies.change(BackfillTests.GIZMOS, WriteStrategy.DUAL, true);
    }

    @Test
    void anonymousCallersCannotStartOrControlABackfill() {
        assertThat(post("", "{\"repositories\":\"backfill_gizmos\"}", false).statusCode()).isEqualTo(403);
        assertThat(post("/pause", "{}", false).statusCode()).isEqualTo(403);
        assertThat(post("/backfill_gizmos/retry-rejects", "{}", false).statusCode()).isEqualTo(403);
        assertThat(stores.postgres.queryForObject("select count(*) from dualwrite_backfill_checkpoint", Long.class))
            .isZero();
    }

    @Test
    void anOperatorStartsAJobWatchesItAndListsItsRejects() {
        stores.seedGizmos(300);
        stores.redis.set(stores.gizmoKey("bad"), "not json");

        HttpResponse<String> started = post("", "{\"repositories\":\"backfill_gizmos\",\"batchSize\":50}", true);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        assertThat(body(started).get("repositories").get(0).asString()).isEqualTo("backfill_gizmos");

        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(body(get("")).get("job").get("state").asString()));
        JsonNode status = body(get(""));
        JsonNode progress = status.get("job").get("progress").get(0);
        assertThat(progress.get("state").asString()).isEqualTo("COMPLETED");
        assertThat(progress.get("rowsWritten").asLong()).isEqualTo(300);
        assertThat(status.get("checkpoints").get("backfill_gizmos").get("state").asString()).isEqualTo("COMPLETED");
        assertThat(body(get("/backfill_gizmos")).get("rejects").asLong()).isOne();

        JsonNode rejects = body(get("/backfill_gizmos/rejects?limit=10"));
        assertThat(rejects).hasSize(1);
        assertThat(rejects.get(0).get("key").asString()).isEqualTo(stores.gizmoKey("bad"));
        assertThat(rejects.get(0).get("reason").asString()).contains("not valid JSON");

        stores.redis.set(stores.gizmoKey("bad"), FixtureJson.of("bad"));
        HttpResponse<String> retried = post("/backfill_gizmos/retry-rejects", "{}", true);
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
        assertThat(body(retried).get("copied").asLong()).isOne();
    }

    @Test
    void aCatchUpStartedOverHttpRefreshesStaleRowsAndRemovesRowsWithoutKey() {
        stores.seedGizmos(20);
        // As left by a period at REDIS_PRIMARY: 5 stale rows and one whose key was deleted.
        for (int i = 0; i < 5; i++) {
            stores.postgres.update("insert into backfill_gizmos (id, name, quantity) values (?, 'stale', 0)", "g" + i);
        }
        stores.postgres.update("insert into backfill_gizmos (id, name, quantity) values ('gone', 'deleted', 0)");

        HttpResponse<String> badMode = post("", "{\"repositories\":\"backfill_gizmos\",\"mode\":\"refresh\"}", true);
        assertThat(badMode.statusCode()).as(badMode.body()).isEqualTo(400);
        assertThat(body(badMode).get("message").asString()).contains("'refresh'").contains("CATCH_UP");

        HttpResponse<String> started = post("", "{\"repositories\":\"backfill_gizmos\",\"mode\":\"catch-up\"}", true);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(body(get("")).get("job").get("state").asString()));
        JsonNode progress = body(get("")).get("job").get("progress").get(0);
        assertThat(progress.get("state").asString()).isEqualTo("COMPLETED");
        assertThat(progress.get("mode").asString()).isEqualTo("CATCH_UP");
        assertThat(progress.get("rowsWritten").asLong()).isEqualTo(15);
        assertThat(progress.get("rowsRefreshed").asLong()).isEqualTo(5);
        assertThat(progress.get("rowsRemoved").asLong()).isEqualTo(1);
        assertThat(progress.get("rowsSkipped").asLong()).isZero();
        assertThat(stores.gizmosInPostgres()).isEqualTo(stores.gizmosInRedis());
    }

    @Test
    void aBackfillOfARepositoryPastDualIsRefusedWith409BeforeAnyJobStarts() {
        stores.seedGizmos(10);
        this.strategies.change(BackfillTests.GIZMOS, WriteStrategy.POSTGRES_PRIMARY, true);
        JsonNode jobBefore = body(get("")).get("job");

        HttpResponse<String> refused = post("", "{\"repositories\":\"backfill_gizmos\"}", true);

        // A script using curl -f must see that nothing started.
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(body(refused).get("message").asString()).contains("'backfill_gizmos'")
            .contains("POSTGRES_PRIMARY")
            .contains("move the repository back to DUAL");
        assertThat(body(get("")).get("job")).as("the job shown before the refusal").isEqualTo(jobBefore);
        assertThat(stores.gizmosInPostgres()).isEmpty();
    }

    @Test
    void aBackfillOfARepositoryBeforeDualIsRefusedWith409ButADryRunRuns() {
        stores.seedGizmos(10);
        this.strategies.change(BackfillTests.GIZMOS, WriteStrategy.REDIS_PRIMARY, true);

        HttpResponse<String> refused = post("", "{\"repositories\":\"backfill_gizmos\"}", true);

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(body(refused).get("message").asString()).contains("'backfill_gizmos'")
            .contains("REDIS_PRIMARY")
            .contains("move the repository to DUAL first");
        HttpResponse<String> dryRun = post("", "{\"repositories\":\"backfill_gizmos\",\"dryRun\":true}", true);
        assertThat(dryRun.statusCode()).as(dryRun.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(body(get("")).get("job").get("state").asString()));
        JsonNode progress = body(get("")).get("job").get("progress").get(0);
        assertThat(progress.get("state").asString()).isEqualTo("COMPLETED");
        assertThat(progress.get("rowsWritten").asLong()).as("would be written").isEqualTo(10);
        assertThat(stores.gizmosInPostgres()).isEmpty();
    }

    @Test
    void changesThatCannotBeMadeSayWhy() {
        assertThat(post("/pause", "{}", true).statusCode()).as("no job running").isEqualTo(404);
        assertThat(post("", "{\"repositories\":\"nope\"}", true).statusCode()).isEqualTo(404);
        HttpResponse<String> greedy = post("", "{\"repositories\":\"backfill_gizmos\",\"batchSize\":5000,"
                + "\"parallelism\":64}", true);
        assertThat(greedy.statusCode()).as("more locks than the server has room for").isEqualTo(400);
        assertThat(greedy.body()).contains("max_locks_per_transaction");
        assertThat(post("/nope/retry-rejects", "{}", true).statusCode()).isEqualTo(404);
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        stores.seedGizmos(3_000);
        HttpResponse<String> slow = post("", "{\"repositories\":\"backfill_gizmos\",\"batchSize\":20,\"rateLimit\":500}",
                true);
        assertThat(slow.statusCode()).isEqualTo(200);
        assertThat(post("", "{\"repositories\":\"backfill_gizmos\"}", true).statusCode()).as("already running")
            .isEqualTo(409);
        HttpResponse<String> rate = post("/rate", "{\"rateLimit\":0}", true);
        assertThat(rate.statusCode()).isEqualTo(200);
        assertThat(body(rate).get("rateLimit").asDouble()).isZero();
        assertThat(post("/jump", "{}", true).statusCode()).isEqualTo(400);
        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(body(get("")).get("job").get("state").asString()));
    }

    private HttpResponse<String> get(String path) {
        return send(request(path, true).GET().build());
    }

    private HttpResponse<String> post(String path, String body, boolean operator) {
        return send(request(path, operator).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
    }

    private HttpRequest.Builder request(String path, boolean operator) {
        HttpRequest.Builder request = HttpRequest
            .newBuilder(URI.create("http://localhost:" + this.port + "/actuator/dualwritebackfill" + path))
            .timeout(Duration.ofSeconds(30))
            .header("Accept", "application/json");
        if (operator) {
            request.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString("operator:secret".getBytes(StandardCharsets.UTF_8)));
        }
        return request;
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return this.http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException | InterruptedException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static JsonNode body(HttpResponse<String> response) {
        return json.readTree(response.body());
    }

    private static final class FixtureJson {

        static String of(@Nullable String id) {
            return BackfillFixture.json(new Gizmo(String.valueOf(id), "fixed", 1));
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class PermitAll {

        @Bean
        SecurityFilterChain actuatorSecurity(HttpSecurity http) throws Exception {
            return http.securityMatcher(EndpointRequest.toAnyEndpoint())
                .authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
                .httpBasic(Customizer.withDefaults())
                .csrf(AbstractHttpConfigurer::disable)
                .build();
        }

        @Bean
        InMemoryUserDetailsManager users() {
            return new InMemoryUserDetailsManager(
                    User.withUsername("operator").password("{noop}secret").roles("OPERATOR").build());
        }

    }

}
