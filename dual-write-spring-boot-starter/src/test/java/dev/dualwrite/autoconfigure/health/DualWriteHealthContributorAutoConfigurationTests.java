package dev.dualwrite.autoconfigure.health;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.OtherInstance;
import dev.dualwrite.autoconfigure.fixtures.WidgetHost;
import dev.dualwrite.autoconfigure.fixtures.widget.Widget;
import dev.dualwrite.autoconfigure.fixtures.widget.redis.WidgetRepository;
import dev.dualwrite.core.control.ControlPlane;
import dev.dualwrite.core.control.StageMove;
import dev.dualwrite.core.strategy.InMemoryStrategySource;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.testsupport.TestSchema;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link DualWriteHealthContributorAutoConfiguration} and the health it reports,
 * against the real servers: each test starts a host application on a schema of its own.
 */
class DualWriteHealthContributorAutoConfigurationTests {

    private static final String WIDGETS = Widget.TABLE;

    private TestSchema schema;

    private ApplicationContextRunner contextRunner;

    @BeforeEach
    void createSchema() {
        this.schema = TestSchema.create(DualWriteHealthContributorAutoConfigurationTests.class);
        this.contextRunner = WidgetHost.on(this.schema)
            .withConfiguration(AutoConfigurations.of(DualWriteHealthContributorAutoConfiguration.class));
    }

    @AfterEach
    void dropSchemaAndKeys() {
        this.schema.close();
        FixtureStores.deleteRedisKeys();
    }

    // Registration

    @Test
    void defaultsRegisterTheIndicatorUpWithStageInstancesAndRepairs() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasSingleBean(DualWriteHealthIndicator.class).hasBean("dualwriteHealthIndicator");
            DualWriteHealthProperties properties = context.getBean(DualWriteHealthProperties.class);
            assertThat(properties.getRepairBacklogThreshold()).isEqualTo(1000);
            assertThat(properties.getRepairAgeThreshold()).isEqualTo(Duration.ofMinutes(10));
            assertThat(properties.getDisagreementThreshold()).isEqualTo(Duration.ofMinutes(1));
            assertThat(properties.getCacheFor()).isEqualTo(Duration.ofSeconds(10));
            Health health = health(context);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("instance", context.getBean(ControlPlane.class).instanceId());
            Map<String, Object> widgets = widgets(health);
            assertThat(widgets).containsEntry("stage", "REDIS_PRIMARY").containsEntry("epoch", 1L).containsKey("since");
            assertThat(widgets).doesNotContainKey("problems");
            assertThat(map(widgets, "instances")).containsExactly(Map.entry("live", 1), Map.entry("agreeing", 1));
            assertThat(map(map(widgets, "repairs"), "postgres")).containsExactly(Map.entry("backlog", 0L));
            assertThat(map(map(widgets, "repairs"), "redis")).containsExactly(Map.entry("backlog", 0L));
        });
    }

    @Test
    void aUserBeanNamedDualwriteHealthIndicatorMakesOursBackOff() {
        this.contextRunner.withUserConfiguration(UserHealthIndicator.class).run((context) -> {
            assertThat(context).doesNotHaveBean(DualWriteHealthIndicator.class);
            assertThat(context.getBean("dualwriteHealthIndicator")).isSameAs(UserHealthIndicator.INDICATOR);
        });
    }

    @Test
    void managementHealthDualwriteEnabledFalseSwitchesItOff() {
        this.contextRunner.withPropertyValues("management.health.dualwrite.enabled=false")
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DualWriteHealthIndicator.class));
    }

    @Test
    void withoutTheActuatorsHealthSupportThereIsNoIndicator() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DualWriteHealthIndicator.class));
    }

    @Test
    void withoutTheControlPlaneThereIsNoIndicator() {
        this.contextRunner.withUserConfiguration(UserStrategySource.class)
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DualWriteHealthIndicator.class));
    }

    // Repair backlog

    @Test
    void keysAwaitingRepairWithinTheThresholdsKeepItUp() {
        // Without the host's migrations the PostgreSQL table is missing: the secondary write fails
        // and the key is recorded for repair in the Redis log.
        this.contextRunner.withPropertyValues("dual-write.strategy=DUAL", "spring.flyway.enabled=false")
            .run((context) -> {
                context.getBean(WidgetRepository.class).save(new Widget(newId(), "unrepaired", 1));
                Health health = health(context);
                assertThat(health.getStatus()).isEqualTo(Status.UP);
                Map<String, Object> owedToPostgres = map(map(widgets(health), "repairs"), "postgres");
                assertThat((Long) owedToPostgres.get("backlog")).isPositive();
                assertThat(owedToPostgres).containsKey("oldestAge");
            });
    }

    @Test
    void aBacklogPastTheThresholdIsDegradedAndNamed() {
        this.contextRunner
            .withPropertyValues("dual-write.strategy=DUAL", "spring.flyway.enabled=false",
                    "dual-write.health.repair-backlog-threshold=0")
            .run((context) -> {
                context.getBean(WidgetRepository.class).save(new Widget(newId(), "unrepaired", 1));
                Health health = health(context);
                assertThat(health.getStatus()).isEqualTo(DualWriteHealthIndicator.DEGRADED);
                assertThat(problems(health)).singleElement(as(InstanceOfAssertFactories.STRING))
                    .contains("key(s) await repair in PostgreSQL, more than "
                            + "dual-write.health.repair-backlog-threshold (0)");
            });
    }

    @Test
    void anOldRepairRecordPastTheAgeThresholdIsDegradedAndNamed() {
        this.contextRunner
            .withPropertyValues("dual-write.strategy=DUAL", "spring.flyway.enabled=false",
                    "dual-write.health.repair-age-threshold=1ms", "dual-write.health.cache-for=0s")
            .run((context) -> {
                context.getBean(WidgetRepository.class).save(new Widget(newId(), "unrepaired", 1));
                await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(health(context).getStatus())
                        .isEqualTo(DualWriteHealthIndicator.DEGRADED));
                assertThat(problems(health(context))).singleElement(as(InstanceOfAssertFactories.STRING))
                    .contains("the oldest key awaiting repair in PostgreSQL was recorded")
                    .contains("longer than dual-write.health.repair-age-threshold (PT0.001S)");
            });
    }

    @Test
    void theRollbackLogAtPostgresOnlyIsNoBacklogUntilTheRepositoryMovesBack() {
        this.contextRunner
            .withPropertyValues("dual-write.health.repair-backlog-threshold=0", "dual-write.health.cache-for=0s")
            .run((context) -> {
                ControlPlane controlPlane = context.getBean(ControlPlane.class);
                // Forced: this test is about the health at each stage, not the conditions of the moves.
                controlPlane.change(WIDGETS, WriteStrategy.DUAL, true);
                controlPlane.change(WIDGETS, WriteStrategy.POSTGRES_PRIMARY, true);
                controlPlane.change(WIDGETS, WriteStrategy.POSTGRES_ONLY, true);
                context.getBean(WidgetRepository.class).save(new Widget(newId(), "only-in-postgres", 1));
                Health atPostgresOnly = health(context);
                assertThat(atPostgresOnly.getStatus()).isEqualTo(Status.UP);
                assertThat(map(map(widgets(atPostgresOnly), "repairs"), "redis"))
                    .containsExactly(Map.entry("backlog", 0L), Map.entry("rollbackLog", 1L));
                // Back at POSTGRES_PRIMARY, the same record is what Redis is owed: the rollback sync.
                controlPlane.change(WIDGETS, WriteStrategy.POSTGRES_PRIMARY, true);
                Health movedBack = health(context);
                assertThat(movedBack.getStatus()).isEqualTo(DualWriteHealthIndicator.DEGRADED);
                assertThat(map(map(widgets(movedBack), "repairs"), "redis")).containsEntry("backlog", 1L)
                    .containsKey("oldestAge");
                assertThat(problems(movedBack)).singleElement(as(InstanceOfAssertFactories.STRING))
                    .startsWith("1 key(s) await repair in Redis");
            });
    }

    @Test
    void anAnswerIsReusedForCacheFor() {
        this.contextRunner
            .withPropertyValues("dual-write.strategy=DUAL", "spring.flyway.enabled=false",
                    "dual-write.health.repair-backlog-threshold=0", "dual-write.health.cache-for=1h")
            .run((context) -> {
                Health before = health(context);
                assertThat(before.getStatus()).isEqualTo(Status.UP);
                context.getBean(WidgetRepository.class).save(new Widget(newId(), "unrepaired", 1));
                // The backlog is past its threshold now, but the answer read before is reused.
                assertThat(health(context)).isSameAs(before);
            });
    }

    // Instances

    @Test
    void anInstanceStillOnTheOlderStageDegradesTheHealthUntilItIsLeftOut() {
        this.contextRunner
            .withPropertyValues("dual-write.health.disagreement-threshold=0s", "dual-write.health.cache-for=0s",
                    "dual-write.control.poll-interval=100ms", "dual-write.control.heartbeat-interval=200ms",
                    "dual-write.control.instance-timeout=3s")
            .run((context) -> {
                try (ControlPlane other = OtherInstance.controlPlane(context)) {
                    // The other instance registers, then never polls: it stays at the first epoch.
                    other.register(WIDGETS, WriteStrategy.REDIS_PRIMARY);
                    context.getBean(ControlPlane.class)
                        .move(StageMove.of(WIDGETS, WriteStrategy.DUAL, "operator", "test of the health"));
                    // Read within the instance timeout (3s) of the other instance's only heartbeat.
                    Health behind = health(context);
                    assertThat(behind.getStatus()).isEqualTo(DualWriteHealthIndicator.DEGRADED);
                    assertThat(map(widgets(behind), "instances")).containsEntry("live", 2)
                        .containsEntry("agreeing", 1)
                        .containsEntry("behind", List.of("other-instance (host other-host) applies epoch 1 "
                                + "(REDIS_PRIMARY)"));
                    assertThat(problems(behind)).singleElement()
                        .asString()
                        .startsWith("1 of 2 live instance(s) still apply an older stage")
                        .contains("after the move to DUAL (epoch 2), longer than "
                                + "dual-write.health.disagreement-threshold (PT0S)");
                    // Once left out, it no longer holds moves, nor the health.
                    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                        Health leftOut = health(context);
                        assertThat(leftOut.getStatus()).isEqualTo(Status.UP);
                        assertThat(map(widgets(leftOut), "instances")).containsEntry("live", 1)
                            .containsEntry("agreeing", 1)
                            .doesNotContainKey("behind")
                            .hasEntrySatisfying("leftOut", (names) -> assertThat(names.toString())
                                .contains("other-instance (host other-host, last seen"));
                    });
                }
            });
    }

    private static Health health(AssertableApplicationContext context) {
        return context.getBean(DualWriteHealthIndicator.class).health();
    }

    private static Map<String, Object> widgets(Health health) {
        return map(map(health.getDetails(), "repositories"), WIDGETS);
    }

    @SuppressWarnings("unchecked")
    private static List<String> problems(Health health) {
        Map<String, Object> widgets = widgets(health);
        assertThat(widgets).containsKey("problems");
        return (List<String>) widgets.get("problems");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> details, String key) {
        assertThat(details).containsKey(key);
        return (Map<String, Object>) details.get(key);
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    @Configuration(proxyBeanMethods = false)
    static class UserHealthIndicator {

        static final HealthIndicator INDICATOR = () -> Health.up().build();

        @Bean
        HealthIndicator dualwriteHealthIndicator() {
            return INDICATOR;
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UserStrategySource {

        @Bean
        StrategySource userStrategySource() {
            return new InMemoryStrategySource(WriteStrategy.DUAL, Map.of());
        }

    }

}
