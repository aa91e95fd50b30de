package dev.dualwrite.autoconfigure.endpoint;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;

import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.widget.Widget;
import dev.dualwrite.autoconfigure.fixtures.widget.jdbc.WidgetRowRepository;
import dev.dualwrite.autoconfigure.fixtures.widget.redis.WidgetRepository;
import dev.dualwrite.core.repair.RedisRepairKeys;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.HttpMethod;
import org.springframework.jdbc.core.JdbcTemplate;
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
 * Tests for the {@code dualwrite} actuator endpoint over real HTTP, in a host secured the
 * usual way: HTTP Basic, reads for any authenticated user, changes for one role only.
 */
@SpringBootTest(classes = { WidgetHostApplication.class, DualWriteEndpointTests.ActuatorSecurity.class },
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=dualwrite",
                "spring.flyway.locations=classpath:db/autoconf/host" })
@DirtiesContext
class DualWriteEndpointTests {

    static final String WIDGETS = Widget.TABLE;

    private static final TestSchema schema = TestSchema.create(DualWriteEndpointTests.class);

    @LocalServerPort
    private int port;

    @Autowired
    private StrategySource strategies;

    @Autowired
    private WidgetRepository widgets;

    @Autowired
    private JdbcTemplate jdbc;

    @Autowired
    private StringRedisTemplate redis;

    private EndpointClient client;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        FixtureStores.register(schema, registry);
    }

    @BeforeEach
    void createClient() {
        this.client = new EndpointClient(this.port);
    }

    @AfterEach
    void resetStrategy() {
        this.strategies.change(WIDGETS, WriteStrategy.REDIS_PRIMARY, true);
        this.redis.delete(List.of(RedisRepairKeys.DEFAULT.records(WIDGETS), RedisRepairKeys.DEFAULT.intents(WIDGETS)));
    }

    @AfterAll
    static void dropSchemaAndKeys() {
        schema.close();
        FixtureStores.deleteRedisKeys();
    }

    @Test
    void stateListsEveryPairedRepositoryWithItsStrategyAndPendingRepairs() {
        HttpResponse<String> response = this.client.get("", "viewer", "viewer-secret");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode repositories = EndpointClient.body(response).get("repositories");
        assertThat(repositories.propertyNames()).containsExactly(WIDGETS);
        JsonNode widgets = repositories.get(WIDGETS);
        assertThat(widgets.get("strategy").asString()).isEqualTo("REDIS_PRIMARY");
        assertThat(widgets.get("redisEntity").asString()).isEqualTo(Widget.class.getName());
        assertThat(widgets.get("postgresRepository").asString()).isEqualTo(WidgetRowRepository.class.getName());
        assertThat(widgets.get("postgresEntity").asString()).isEqualTo(Widget.class.getName());
        assertThat(widgets.get("pendingRepairs").get("postgres").asLong()).isZero();
        assertThat(widgets.get("pendingRepairs").get("redis").asLong()).isZero();
    }

    @Test
    void pendingRepairsCountTheKeysAwaitingRepair(@Autowired RedisRepairLog redisRepairLog) {
        redisRepairLog.recordFailure(WIDGETS, "k1", Store.POSTGRES, "test");
        redisRepairLog.recordFailure(WIDGETS, "k2", Store.POSTGRES, "test");
        HttpResponse<String> response = this.client.get("/" + WIDGETS, "viewer", "viewer-secret");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(EndpointClient.body(response).get("pendingRepairs").get("postgres").asLong()).isEqualTo(2);
    }

    @Test
    void stateOfOneRepository() {
        HttpResponse<String> response = this.client.get("/" + WIDGETS, "viewer", "viewer-secret");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(EndpointClient.body(response).get("strategy").asString()).isEqualTo("REDIS_PRIMARY");
    }

    @Test
    void stateOfAnUnknownRepositoryIsNotFound() {
        assertThat(this.client.get("/autoconf_unknown", "viewer", "viewer-secret").statusCode()).isEqualTo(404);
    }

    @Test
    void anonymousReadIsUnauthorized() {
        assertThat(this.client.get("", null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void operatorMovesTheStrategyOneStageAndWritesThenReachPostgres() {
        HttpResponse<String> response = this.client.post("/" + WIDGETS, "{\"strategy\":\"DUAL\"}", "operator",
                "operator-secret");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode change = EndpointClient.body(response);
        assertThat(change.get("repository").asString()).isEqualTo(WIDGETS);
        assertThat(change.get("from").asString()).isEqualTo("REDIS_PRIMARY");
        assertThat(change.get("to").asString()).isEqualTo("DUAL");
        assertThat(change.get("forced").asBoolean()).isFalse();
        assertThat(this.strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.DUAL);
        assertThat(EndpointClient.body(this.client.get("/" + WIDGETS, "viewer", "viewer-secret"))
            .get("strategy")
            .asString()).isEqualTo("DUAL");
        String id = UUID.randomUUID().toString();
        this.widgets.save(new Widget(id, "after-change", 1));
        assertThat(namesInPostgres(id)).containsExactly("after-change");
    }

    @Test
    void jumpOverAStageIsRefusedWithAMessageSayingWhatToDo() {
        HttpResponse<String> response = this.client.post("/" + WIDGETS, "{\"strategy\":\"POSTGRES_PRIMARY\"}",
                "operator", "operator-secret");
        assertThat(this.strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.REDIS_PRIMARY);
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(EndpointClient.body(response).get("message").asString())
            .isEqualTo("Repository 'autoconf_widgets' cannot move from REDIS_PRIMARY to POSTGRES_PRIMARY: adjacent "
                    + "FAILED: REDIS_PRIMARY -> POSTGRES_PRIMARY skips a stage; walk the stages one at a time. Meet the "
                    + "conditions, or force the move with a reason");
    }

    @Test
    void forcedJumpOverAStageIsAppliedAndRecordedWithItsReason() {
        HttpResponse<String> response = this.client.post("/" + WIDGETS,
                "{\"strategy\":\"POSTGRES_PRIMARY\",\"force\":true,\"reason\":\"rehearsal\"}", "operator",
                "operator-secret");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(EndpointClient.body(response).get("forced").asBoolean()).isTrue();
        assertThat(this.strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.POSTGRES_PRIMARY);
        JsonNode newest = EndpointClient.body(this.client.get("/" + WIDGETS + "/ledger?limit=1", "viewer",
                "viewer-secret")).get(0);
        assertThat(newest.get("action").asString()).isEqualTo("STAGE_CHANGED");
        assertThat(newest.get("actor").asString()).isEqualTo("operator");
        assertThat(newest.get("reason").asString()).isEqualTo("rehearsal");
        assertThat(newest.get("forced").asBoolean()).isTrue();
        assertThat(newest.get("details").asString()).contains("adjacent FAILED");
    }

    @Test
    void forcedMoveWithoutAReasonIsRefused() {
        HttpResponse<String> response = this.client.post("/" + WIDGETS,
                "{\"strategy\":\"POSTGRES_PRIMARY\",\"force\":true}", "operator", "operator-secret");
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(EndpointClient.body(response).get("message").asString()).contains("a forced move needs a reason");
        assertThat(this.strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.REDIS_PRIMARY);
    }

    @Test
    void anonymousChangeIsUnauthorizedAndChangesNothing() {
        HttpResponse<String> response = this.client.post("/" + WIDGETS, "{\"strategy\":\"DUAL\"}", null, null);
        assertThat(this.strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.REDIS_PRIMARY);
        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void changeWithWrongCredentialsIsUnauthorizedAndChangesNothing() {
        HttpResponse<String> response = this.client.post("/" + WIDGETS, "{\"strategy\":\"DUAL\"}", "operator",
                "wrong");
        assertThat(this.strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.REDIS_PRIMARY);
        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void changeWithoutTheOperatorRoleIsForbiddenAndChangesNothing() {
        HttpResponse<String> response = this.client.post("/" + WIDGETS, "{\"strategy\":\"DUAL\"}", "viewer",
                "viewer-secret");
        assertThat(this.strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.REDIS_PRIMARY);
        assertThat(response.statusCode()).isEqualTo(403);
    }

    @Test
    void changeOfAnUnknownRepositoryIsNotFound() {
        HttpResponse<String> response = this.client.post("/autoconf_unknown", "{\"strategy\":\"DUAL\"}", "operator",
                "operator-secret");
        assertThat(this.strategies.strategyFor("autoconf_unknown")).isEqualTo(WriteStrategy.REDIS_PRIMARY);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(EndpointClient.body(response).get("message").asString())
            .isEqualTo("No paired repository is named 'autoconf_unknown'; paired repositories: [autoconf_widgets]");
    }

    @Test
    void changeToAnUnknownStrategyIsABadRequest() {
        HttpResponse<String> response = this.client.post("/" + WIDGETS, "{\"strategy\":\"SOMEWHERE\"}", "operator",
                "operator-secret");
        assertThat(this.strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.REDIS_PRIMARY);
        assertThat(response.statusCode()).isEqualTo(400);
    }

    @Test
    void changeWithoutAStrategyIsABadRequest() {
        HttpResponse<String> response = this.client.post("/" + WIDGETS, "{}", "operator", "operator-secret");
        assertThat(this.strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.REDIS_PRIMARY);
        assertThat(response.statusCode()).isEqualTo(400);
    }

    private List<String> namesInPostgres(String id) {
        return this.jdbc.queryForList("select name from " + WIDGETS + " where id = ?", String.class, id);
    }

    @Configuration(proxyBeanMethods = false)
    static class ActuatorSecurity {

        @Bean
        SecurityFilterChain actuatorSecurity(HttpSecurity http) throws Exception {
            return http.securityMatcher(EndpointRequest.toAnyEndpoint())
                .authorizeHttpRequests((requests) -> requests.requestMatchers(HttpMethod.POST, "/**")
                    .hasRole("DUALWRITE_OPERATOR")
                    .anyRequest()
                    .authenticated())
                .httpBasic(Customizer.withDefaults())
                // A stateless API for operators' scripts: HTTP Basic on every call, no session, no CSRF token.
                .csrf(AbstractHttpConfigurer::disable)
                .build();
        }

        @Bean
        InMemoryUserDetailsManager users() {
            return new InMemoryUserDetailsManager(
                    User.withUsername("operator").password("{noop}operator-secret").roles("DUALWRITE_OPERATOR").build(),
                    User.withUsername("viewer").password("{noop}viewer-secret").roles("VIEWER").build());
        }

    }

}
