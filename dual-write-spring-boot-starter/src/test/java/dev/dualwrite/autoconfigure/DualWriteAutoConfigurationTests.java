package dev.dualwrite.autoconfigure;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dualwrite.autoconfigure.expiry.ExpirySweepLifecycle;
import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.gadget.Gadget;
import dev.dualwrite.autoconfigure.fixtures.gadget.GadgetRow;
import dev.dualwrite.autoconfigure.fixtures.gadget.NumberedGadgetRow;
import dev.dualwrite.autoconfigure.fixtures.gadget.jdbc.GadgetRowRepository;
import dev.dualwrite.autoconfigure.fixtures.gadget.jdbcnumbered.NumberedGadgetRowRepository;
import dev.dualwrite.autoconfigure.fixtures.gadget.redis.GadgetRepository;
import dev.dualwrite.autoconfigure.fixtures.widget.Widget;
import dev.dualwrite.autoconfigure.fixtures.widget.jdbc.WidgetRowRepository;
import dev.dualwrite.autoconfigure.fixtures.widget.jdbc2.SecondWidgetRowRepository;
import dev.dualwrite.autoconfigure.fixtures.widget.redis.WidgetRepository;
import dev.dualwrite.autoconfigure.properties.DualWriteProperties;
import dev.dualwrite.autoconfigure.properties.DualWriteRepairProperties;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.autoconfigure.repository.DualWriteRepositoryPostProcessor;
import dev.dualwrite.autoconfigure.repository.RepositoryExpiries;
import dev.dualwrite.autoconfigure.schema.DualWriteSchemaMigration;
import dev.dualwrite.core.compare.EntityComparator;
import dev.dualwrite.core.control.ControlPlane;
import dev.dualwrite.core.ledger.Ledger;
import dev.dualwrite.core.metrics.DualWriteMetrics;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.redis.json.UnreadableValueListener;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RedisRepairKeys;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.routing.ReadRouter;
import dev.dualwrite.core.routing.ReadRoutingSource;
import dev.dualwrite.core.routing.RepositoryPairing;
import dev.dualwrite.core.routing.ShadowReads;
import dev.dualwrite.core.routing.WriteCoordinator;
import dev.dualwrite.core.secondary.FailurePolicy;
import dev.dualwrite.core.secondary.SecondaryWriteException;
import dev.dualwrite.core.secondary.SecondaryWriteGuard;
import dev.dualwrite.core.strategy.InMemoryStrategySource;
import dev.dualwrite.core.strategy.StageCall;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TestSchema;
import dev.dualwrite.testsupport.TestServers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.jdbc.autoconfigure.DataJdbcRepositoriesAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisRepositoriesAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.RedisKeyValueAdapter;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;
import org.springframework.data.relational.core.mapping.RelationalMappingContext;
import org.springframework.data.relational.core.mapping.event.AbstractRelationalEvent;
import org.springframework.data.relational.core.mapping.event.BeforeConvertCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link DualWriteAutoConfiguration}, against the real servers: each test starts
 * host applications on a schema of its own.
 */
@ExtendWith(OutputCaptureExtension.class)
class DualWriteAutoConfigurationTests {

    private static final AutoConfigurations STORES = AutoConfigurations.of(DataSourceAutoConfiguration.class,
            JdbcTemplateAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
            TransactionAutoConfiguration.class, DataJdbcRepositoriesAutoConfiguration.class,
            DataRedisAutoConfiguration.class, DataRedisRepositoriesAutoConfiguration.class,
            FlywayAutoConfiguration.class);

    private static final String WIDGETS = Widget.TABLE;

    // For hosts without repositories: no auto-configuration package to scan.
    private static final String[] NO_REPOSITORY_SCAN = { "spring.data.redis.repositories.enabled=false",
            "spring.data.jdbc.repositories.enabled=false" };

    private TestSchema schema;

    private ApplicationContextRunner contextRunner;

    @BeforeEach
    void createSchema() {
        this.schema = TestSchema.create(DualWriteAutoConfigurationTests.class);
        this.contextRunner = new ApplicationContextRunner().withConfiguration(STORES)
            .withConfiguration(AutoConfigurations.of(DualWriteAutoConfiguration.class))
            .withPropertyValues(FixtureStores.properties(this.schema))
            .withPropertyValues("spring.flyway.locations=classpath:db/autoconf/host");
    }

    @AfterEach
    void dropSchemaAndKeys() {
        this.schema.close();
        FixtureStores.deleteRedisKeys();
    }

    // Defaults

    @Test
    void defaultsProvideEveryBeanAndTheLibraryTables() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class).run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(StrategySource.class)
                .getBean(StrategySource.class)
                .isInstanceOf(ControlPlane.class);
            assertThat(context.getBean(StrategySource.class).strategyFor(WIDGETS))
                .isEqualTo(WriteStrategy.REDIS_PRIMARY);
            assertThat(context).hasSingleBean(DualWriteMetrics.class)
                .hasSingleBean(RedisRepairLog.class)
                .hasSingleBean(PostgresRepairLog.class)
                .hasSingleBean(SecondaryWriteGuard.class)
                .hasSingleBean(WriteCoordinator.class)
                .hasSingleBean(DualRepositoryRegistry.class)
                .hasSingleBean(DualWriteSchemaMigration.class)
                .hasSingleBean(DualWriteRepositoryPostProcessor.class);
            assertThat(pairNames(context)).containsExactly(WIDGETS);
            assertThat(tables(context)).contains("dualwrite_repair", "dualwrite_schema_history");
        });
    }

    @Test
    void defaultSecondaryProtection() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class).run((context) -> {
            SecondaryWriteGuard guard = context.getBean(SecondaryWriteGuard.class);
            assertThat(guard).extracting("policy").isEqualTo(FailurePolicy.LENIENT);
            assertThat(timeLimiter(guard).getTimeLimiterConfig().getTimeoutDuration()).isEqualTo(Duration.ofSeconds(2));
            CircuitBreakerConfig breaker = breakerConfig(guard, Store.POSTGRES);
            assertThat(breaker.getFailureRateThreshold()).isEqualTo(50);
            assertThat(breaker.getSlidingWindowSize()).isEqualTo(20);
            assertThat(breaker.getMinimumNumberOfCalls()).isEqualTo(10);
            assertThat(breaker.getWaitIntervalFunctionInOpenState().apply(1)).isEqualTo(10_000);
            assertThat(breaker.getPermittedNumberOfCallsInHalfOpenState()).isEqualTo(3);
            // Half of the fixture's Hikari pool of 4, so secondary writes never hold every connection.
            assertThat(executor(guard).getCorePoolSize()).isEqualTo(2);
            assertThat(executor(guard).getMaximumPoolSize()).isEqualTo(2);
            assertThat(executor(guard).getQueue().remainingCapacity()).isEqualTo(1000);
            assertThat(timeLimiter(guard).getTimeLimiterConfig().shouldCancelRunningFuture()).isTrue();
            // A write hung past shutdown does not keep the JVM alive.
            assertThat(executor(guard).getThreadFactory().newThread(() -> {
            }).isDaemon()).isTrue();
        });
    }

    @Test
    void secondaryPoolOfATinyHikariPoolAsksForALargerPoolNotForTheDefault(CapturedOutput output) {
        // 1 thread (the least) plus the reconciler hold both connections of a pool of 2.
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("spring.datasource.hikari.maximum-pool-size=2")
            .run((context) -> {
                assertThat(executor(context.getBean(SecondaryWriteGuard.class)).getCorePoolSize()).isEqualTo(1);
                assertThat(output).containsOnlyOnce("Raise the maximum pool size to at least 3")
                    .doesNotContain("leave it unset");
            });
    }

    @Test
    void secondaryPoolSizeFollowsAHikariPoolBehindADataSourceWrapper(CapturedOutput output) {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class, WrappedHikariDataSource.class)
            .run((context) -> {
                assertThat(context.getBean(DataSource.class)).isNotInstanceOf(HikariDataSource.class);
                // Half of the wrapped pool of 6.
                assertThat(executor(context.getBean(SecondaryWriteGuard.class)).getCorePoolSize()).isEqualTo(3);
                assertThat(output).doesNotContain("not a Hikari pool");
            });
    }

    @Test
    void lettuceConnectionFactoryThatDoesNotShareItsConnectionIsWarnedAbout(CapturedOutput output) {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class, UnsharedLettuce.class).run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(output).containsOnlyOnce("the LettuceConnectionFactory does not share its native connection");
        });
    }

    @Test
    void lettuceDefaultsAreNotWarnedAbout(CapturedOutput output) {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class).run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(output).doesNotContain("the LettuceConnectionFactory");
        });
    }

    @Test
    void secondaryPoolSizeFollowsTheHikariPoolAndIsNotWarnedAbout(CapturedOutput output) {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("spring.datasource.hikari.maximum-pool-size=11")
            .run((context) -> {
                assertThat(executor(context.getBean(SecondaryWriteGuard.class)).getCorePoolSize()).isEqualTo(5);
                assertThat(output).doesNotContain("dual-write.secondary.pool-size=");
            });
    }

    @Test
    void secondaryPoolSizeWithoutAHikariPoolIsFiveAndSaysSo(CapturedOutput output) {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("spring.datasource.type=org.springframework.jdbc.datasource.SimpleDriverDataSource")
            .run((context) -> {
                assertThat(executor(context.getBean(SecondaryWriteGuard.class)).getCorePoolSize()).isEqualTo(5);
                assertThat(output).contains("secondary writes run on 5 thread(s)")
                    .contains("the DataSource is not a Hikari pool");
            });
    }

    @Test
    void secondaryPoolAbleToHoldTheWholeConnectionPoolIsWarnedAboutOnce(CapturedOutput output) {
        // 3 secondary threads plus the reconciler: the fixture's whole Hikari pool of 4.
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.secondary.pool-size=3")
            .run((context) -> {
                assertThat(executor(context.getBean(SecondaryWriteGuard.class)).getCorePoolSize()).isEqualTo(3);
                String warning = "dual-write.secondary.pool-size=3 secondary write threads plus the reconciler can "
                        + "hold 4 PostgreSQL connections, the whole pool (spring.datasource.hikari.maximum-pool-size=4)";
                assertThat(output).containsOnlyOnce(warning).contains("Set dual-write.secondary.pool-size to at most 2");
            });
    }

    @Test
    void byDefaultWritesReachRedisOnly() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class).run((context) -> {
            String id = newId();
            context.getBean(WidgetRepository.class).save(new Widget(id, "only-redis", 1));
            assertThat(nameInRedis(context, id)).isEqualTo("only-redis");
            assertThat(namesInPostgres(context, id)).isEmpty();
        });
    }

    // The library writes a flat row with its own statement: the application's own save at
    // POSTGRES_ONLY still publishes Spring Data JDBC's events, and a callback of the row type
    // still runs (the row then goes through Spring Data JDBC).
    @Test
    void aPostgresOnlySaveWrittenByTheLibraryPublishesSpringDataJdbcsEvents() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class, WidgetRowEvents.class)
            .withPropertyValues("dual-write.strategy=POSTGRES_ONLY")
            .run((context) -> {
                assertThat(pair(context).postgres().writesRowsItself()).as("Spring Data JDBC's own id callback "
                        + "does not keep the library from writing rows itself").isTrue();
                String id = newId();
                context.getBean(WidgetRepository.class).save(new Widget(id, "evented", 1));
                assertThat(namesInPostgres(context, id)).containsExactly("evented");
                assertThat(context.getBean(WidgetRowEvents.class).seen).containsExactly("BeforeConvertEvent " + id,
                        "BeforeSaveEvent " + id, "AfterSaveEvent " + id);
            });
    }

    @Test
    void aPostgresOnlySaveRunsTheApplicationsEntityCallbackOfTheRowType() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class, WidgetRowCallback.class)
            .withPropertyValues("dual-write.strategy=POSTGRES_ONLY")
            .run((context) -> {
                assertThat(pair(context).postgres().writesRowsItself()).isFalse();
                String id = newId();
                context.getBean(WidgetRepository.class).save(new Widget(id, "called", 1));
                assertThat(namesInPostgres(context, id)).containsExactly("called (checked)");
            });
    }

    // Properties

    @Test
    void strategyPropertyAppliesToEveryRepository() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.strategy=DUAL")
            .run((context) -> {
                StrategySource strategies = context.getBean(StrategySource.class);
                assertThat(strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.DUAL);
                assertThat(strategies.strategyFor("autoconf_anything_else")).isEqualTo(WriteStrategy.DUAL);
                String id = newId();
                context.getBean(WidgetRepository.class).save(new Widget(id, "both", 2));
                assertThat(nameInRedis(context, id)).isEqualTo("both");
                assertThat(namesInPostgres(context, id)).containsExactly("both");
            });
    }

    @Test
    void repositoryStrategyPropertyOverridesTheDefaultForThatRepositoryOnly() {
        this.contextRunner.withUserConfiguration(WidgetAndGadgetRepositories.class, GadgetPairing.class)
            .withPropertyValues("dual-write.repositories." + WIDGETS + ".strategy=DUAL")
            .run((context) -> {
                assertThat(pairNames(context)).containsExactlyInAnyOrder(WIDGETS, GadgetPairing.NAME);
                StrategySource strategies = context.getBean(StrategySource.class);
                assertThat(strategies.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.DUAL);
                assertThat(strategies.strategyFor(GadgetPairing.NAME)).isEqualTo(WriteStrategy.REDIS_PRIMARY);
                String id = newId();
                context.getBean(WidgetRepository.class).save(new Widget(id, "overridden", 1));
                context.getBean(GadgetRepository.class).save(new Gadget(id, "default"));
                assertThat(namesInPostgres(context, id)).containsExactly("overridden");
                assertThat(labelsInPostgres(context, id)).isEmpty();
            });
    }

    @Test
    void lenientFailurePolicyLetsTheCallerSucceedAndRecordsTheKeyForRepair() {
        // Without the host's migrations the PostgreSQL table is missing: every secondary write fails.
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.strategy=DUAL", "spring.flyway.enabled=false")
            .run((context) -> {
                String id = newId();
                context.getBean(WidgetRepository.class).save(new Widget(id, "lenient", 1));
                assertThat(nameInRedis(context, id)).isEqualTo("lenient");
                assertThat(redisRepairRecord(context, id)).contains("autoconf_widgets");
            });
    }

    @Test
    void strictFailurePolicyThrowsOnceTheKeyIsRecordedForRepair() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.strategy=DUAL", "spring.flyway.enabled=false",
                    "dual-write.secondary.failure-policy=STRICT")
            .run((context) -> {
                assertThat(context.getBean(SecondaryWriteGuard.class)).extracting("policy")
                    .isEqualTo(FailurePolicy.STRICT);
                String id = newId();
                assertThatExceptionOfType(SecondaryWriteException.class)
                    .isThrownBy(() -> context.getBean(WidgetRepository.class).save(new Widget(id, "strict", 1)))
                    .withMessageContaining("'" + WIDGETS + "'")
                    .withMessageContaining(id)
                    .withMessageContaining("POSTGRES");
                assertThat(nameInRedis(context, id)).isEqualTo("strict");
                assertThat(redisRepairRecord(context, id)).isNotNull();
            });
    }

    @Test
    void secondaryTimeoutBoundsHowLongTheCallerWaitsForPostgres() throws Exception {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.strategy=DUAL", "dual-write.secondary.timeout=300ms")
            .run((context) -> {
                assertThat(timeLimiter(context.getBean(SecondaryWriteGuard.class)).getTimeLimiterConfig()
                    .getTimeoutDuration()).isEqualTo(Duration.ofMillis(300));
                String id = newId();
                // Another session holds the table, so the PostgreSQL write cannot finish in time.
                try (Connection blocker = this.schema.dataSource().getConnection()) {
                    blocker.setAutoCommit(false);
                    try (Statement statement = blocker.createStatement()) {
                        statement.execute("lock table " + WIDGETS + " in access exclusive mode");
                    }
                    long start = System.nanoTime();
                    context.getBean(WidgetRepository.class).save(new Widget(id, "slow", 1));
                    Duration waited = Duration.ofNanos(System.nanoTime() - start);
                    assertThat(waited).isLessThan(Duration.ofSeconds(2));
                    assertThat(redisRepairRecord(context, id)).contains("timed out after PT0.3S");
                    blocker.rollback();
                }
            });
    }

    @Test
    void secondaryProtectionPropertiesBind() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.secondary.timeout=750ms", "dual-write.secondary.pool-size=3",
                    "dual-write.secondary.queue-capacity=7",
                    "dual-write.secondary.circuit-breaker.failure-rate-threshold=25",
                    "dual-write.secondary.circuit-breaker.sliding-window-size=8",
                    "dual-write.secondary.circuit-breaker.minimum-number-of-calls=4",
                    "dual-write.secondary.circuit-breaker.wait-duration-in-open-state=42s",
                    "dual-write.secondary.circuit-breaker.permitted-number-of-calls-in-half-open-state=2")
            .run((context) -> {
                SecondaryWriteGuard guard = context.getBean(SecondaryWriteGuard.class);
                assertThat(timeLimiter(guard).getTimeLimiterConfig().getTimeoutDuration())
                    .isEqualTo(Duration.ofMillis(750));
                assertThat(executor(guard).getCorePoolSize()).isEqualTo(3);
                assertThat(executor(guard).getMaximumPoolSize()).isEqualTo(3);
                assertThat(executor(guard).getQueue().remainingCapacity()).isEqualTo(7);
                for (Store store : Store.values()) {
                    CircuitBreakerConfig breaker = breakerConfig(guard, store);
                    assertThat(breaker.getFailureRateThreshold()).isEqualTo(25);
                    assertThat(breaker.getSlidingWindowSize()).isEqualTo(8);
                    assertThat(breaker.getMinimumNumberOfCalls()).isEqualTo(4);
                    assertThat(breaker.getWaitIntervalFunctionInOpenState().apply(1)).isEqualTo(42_000);
                    assertThat(breaker.getPermittedNumberOfCallsInHalfOpenState()).isEqualTo(2);
                }
            });
    }

    @Test
    void circuitBreakerOpensAfterTheConfiguredFailuresAndThenSkipsPostgres() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.strategy=DUAL", "spring.flyway.enabled=false",
                    "dual-write.secondary.circuit-breaker.sliding-window-size=2",
                    "dual-write.secondary.circuit-breaker.minimum-number-of-calls=2")
            .run((context) -> {
                WidgetRepository widgets = context.getBean(WidgetRepository.class);
                String first = newId();
                String second = newId();
                String third = newId();
                widgets.save(new Widget(first, "a", 1));
                widgets.save(new Widget(second, "b", 1));
                widgets.save(new Widget(third, "c", 1));
                assertThat(redisRepairRecord(context, first)).doesNotContain("circuit breaker");
                assertThat(redisRepairRecord(context, second)).doesNotContain("circuit breaker");
                assertThat(redisRepairRecord(context, third))
                    .contains("circuit breaker 'dualwrite-postgres' is open; write not attempted");
            });
    }

    @Test
    void schemaMigrationCanBeSwitchedOffAndMissingTablesAreNamedAtStartup() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.schema.migrate=false")
            .run((context) -> {
                // The shared stages live in the library's tables: without them no instance can
                // know its stage, so startup fails and says what to do.
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure())
                    .hasStackTraceContaining("dual-write's tables are missing")
                    .hasStackTraceContaining("classpath:db/dualwrite");
            });
    }

    @Test
    void interruptedWriteGraceDefaultsToTheRedisCommandTimeoutPlusTheSecondaryTimeoutPlus10s() {
        // spring.data.redis.timeout=2s (the fixture's), secondary timeout 2s (the default).
        this.contextRunner.withUserConfiguration(WidgetRepositories.class).run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(DualWriteRepairProperties.class).getInterruptedWriteGrace()).isNull();
            assertThat(context.getBean(RedisRepairLog.class).interruptedWriteGrace()).isEqualTo(Duration.ofSeconds(14));
        });
        // Unset, Lettuce waits 60s for a command: the grace follows what the client does.
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("spring.data.redis.timeout=", "dual-write.secondary.timeout=3s")
            .run((context) -> assertThat(context.getBean(RedisRepairLog.class).interruptedWriteGrace())
                .isEqualTo(Duration.ofSeconds(73)));
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.repair.interrupted-write-grace=6s")
            .run((context) -> assertThat(context.getBean(RedisRepairLog.class).interruptedWriteGrace())
                .isEqualTo(Duration.ofSeconds(6)));
    }

    @Test
    void anInterruptedWriteGraceNotLongerThanTheRedisCommandTimeoutPlusTheSecondaryTimeoutFailsStartup() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.repair.interrupted-write-grace=5s", "dual-write.secondary.timeout=3s")
            .run((context) -> assertThat(startupFailure(context))
                .hasMessageContaining("dual-write.repair.interrupted-write-grace (PT5S) must be longer than "
                        + "dual-write.secondary.timeout (PT3S) plus the Redis command timeout (PT2S, "
                        + "spring.data.redis.timeout;"));
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.repair.interrupted-write-grace=20s", "spring.data.redis.timeout=")
            .run((context) -> assertThat(startupFailure(context))
                .hasMessageContaining("dual-write.repair.interrupted-write-grace (PT20S) must be longer than "
                        + "dual-write.secondary.timeout (PT2S) plus the Redis command timeout (PT1M,"));
    }

    @Test
    void anInFlightGraceNotLongerThanTheSecondaryTimeoutFailsStartup() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.control.in-flight-grace=2s", "dual-write.secondary.timeout=2s")
            .run((context) -> assertThat(startupFailure(context))
                .hasMessageContaining("dual-write.control.in-flight-grace (PT2S) must be longer than "
                        + "dual-write.secondary.timeout (PT2S)"));
    }

    @Test
    void aPollTimeoutNotShorterThanTheInstanceTimeoutFailsStartup() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.control.poll-timeout=30s")
            .run((context) -> assertThat(startupFailure(context))
                .hasMessageContaining("dual-write.control.poll-timeout (PT30S) must be shorter than "
                        + "dual-write.control.instance-timeout (PT30S)"));
    }

    @Test
    void schemaHistoryTableCanBeRenamed() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.schema.history-table=autoconf_dualwrite_history")
            .run((context) -> {
                assertThat(tables(context)).contains("dualwrite_repair", "autoconf_dualwrite_history")
                    .doesNotContain("dualwrite_schema_history");
                assertThat(appliedVersions(context, "autoconf_dualwrite_history")).contains("1");
            });
    }

    // Back-off

    @Test
    void userStrategySourceMakesOursBackOff() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class, UserStrategySource.class)
            .withPropertyValues("dual-write.strategy=POSTGRES_ONLY")
            .run((context) -> {
                assertThat(context).hasSingleBean(StrategySource.class);
                assertThat(context.getBean(StrategySource.class)).isSameAs(context.getBean("userStrategySource"));
                String id = newId();
                context.getBean(WidgetRepository.class).save(new Widget(id, "user-dual", 1));
                // The user's source says DUAL, the ignored property POSTGRES_ONLY.
                assertThat(nameInRedis(context, id)).isEqualTo("user-dual");
                assertThat(namesInPostgres(context, id)).containsExactly("user-dual");
            });
    }

    @Test
    void userWriteCoordinatorMakesOursBackOffAndCarriesTheWrites() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class, UserWriteCoordinator.class)
            .withPropertyValues("dual-write.strategy=DUAL")
            .run((context) -> {
                assertThat(context).hasSingleBean(WriteCoordinator.class);
                CountingWriteCoordinator coordinator = context.getBean(CountingWriteCoordinator.class);
                String id = newId();
                context.getBean(WidgetRepository.class).save(new Widget(id, "counted", 1));
                assertThat(coordinator.saves).hasValue(1);
                assertThat(namesInPostgres(context, id)).containsExactly("counted");
            });
    }

    @Test
    void userSecondaryWriteGuardMakesOursBackOff() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class, UserSecondaryWriteGuard.class)
            .run((context) -> {
                assertThat(context).hasSingleBean(SecondaryWriteGuard.class);
                assertThat(context.getBean(SecondaryWriteGuard.class))
                    .isSameAs(context.getBean("userSecondaryWriteGuard"));
                assertThat(context.getBean(WriteCoordinator.class)).extracting("guard")
                    .isSameAs(context.getBean("userSecondaryWriteGuard"));
            });
    }

    @Test
    void userBeansOfTheOtherTypesMakeOursBackOffAndAreWiredIn() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class, UserPieces.class).run((context) -> {
            assertThat(context).hasNotFailed();
            UserPieces user = context.getBean(UserPieces.class);
            assertThat(context.getBean(Ledger.class)).isSameAs(user.ledger);
            assertThat(context.getBean(DualWriteMetrics.class)).isSameAs(user.metrics);
            assertThat(context.getBean(DualWriteSchemaMigration.class)).isSameAs(user.migration);
            assertThat(context.getBean(RedisRepairLog.class)).isSameAs(user.redisRepairLog);
            assertThat(context.getBean(PostgresRepairLog.class)).isSameAs(user.postgresRepairLog);
            assertThat(context.getBean(RepositoryExpiries.class)).isSameAs(user.expiries);
            assertThat(context.getBean(ExpirySweepLifecycle.class)).isSameAs(user.sweep);
            assertThat(context.getBean("dualWriteUnreadableValueMeter")).isSameAs(user.unreadableValues);
            assertThat(context.getBean(ReadRoutingSource.class)).isSameAs(user.readRoutings);
            assertThat(context.getBean(ShadowReads.class)).isSameAs(user.shadowReads);
            assertThat(context.getBean(EntityComparator.class)).isSameAs(user.comparator);
            assertThat(context.getBean(ReadRouter.class)).isSameAs(user.readRouter);
            // Ours that remain use the user's pieces.
            assertThat(context.getBean(WriteCoordinator.class)).extracting("metrics").isSameAs(user.metrics);
            assertThat(context.getBean(ControlPlane.class)).extracting("ledger").isSameAs(user.ledger);
        });
    }

    // Conditions

    @Test
    void inactiveWithoutSpringDataRedisOnTheClasspath() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(RedisOperations.class))
            .withPropertyValues(NO_REPOSITORY_SCAN)
            .run((context) -> {
            assertThat(context).hasNotFailed();
            assertInactive(context);
        });
    }

    @Test
    void inactiveWithoutARedisConnectionFactory() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    JdbcTemplateAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
                    TransactionAutoConfiguration.class, DataJdbcRepositoriesAutoConfiguration.class,
                    FlywayAutoConfiguration.class, DualWriteAutoConfiguration.class))
            .withPropertyValues(FixtureStores.properties(this.schema))
            .withPropertyValues(NO_REPOSITORY_SCAN)
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertInactive(context);
            });
    }

    @Test
    void inactiveWithoutSpringDataJdbcOnTheClasspath() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(JdbcAggregateOperations.class))
            .withPropertyValues(NO_REPOSITORY_SCAN)
            .run((context) -> {
            assertThat(context).hasNotFailed();
            assertInactive(context);
        });
    }

    @Test
    void inactiveWithoutADataSource() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                    DataRedisRepositoriesAutoConfiguration.class, DualWriteAutoConfiguration.class))
            .withPropertyValues(FixtureStores.properties(this.schema))
            .withPropertyValues(NO_REPOSITORY_SCAN)
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(context).doesNotHaveBean(DualWriteRepositoryPostProcessor.class)
                    .doesNotHaveBean(StrategySource.class)
                    .doesNotHaveBean(DualRepositoryRegistry.class);
            });
    }

    // Pairing

    @Test
    void redisRepositoryWithoutAPostgresRepositoryOfItsTypeStaysUnpaired() {
        this.contextRunner.withUserConfiguration(GadgetRepositories.class)
            .withPropertyValues("dual-write.strategy=DUAL")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(pairNames(context)).isEmpty();
                String id = newId();
                context.getBean(GadgetRepository.class).save(new Gadget(id, "redis-only"));
                assertThat(context.getBean(GadgetRepository.class).findById(id)).contains(new Gadget(id, "redis-only"));
                assertThat(labelsInPostgres(context, id)).isEmpty();
            });
    }

    @Test
    void repositoryPropertyNamingNoPairedRepositoryFailsStartup() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.repositories.autoconf_widget.strategy=DUAL")
            .run((context) -> assertThat(startupFailure(context))
                .hasMessageContaining("dual-write.repositories.autoconf_widget names no paired repository")
                .hasMessageContaining("[" + WIDGETS + "]"));
    }

    @Test
    void twoJdbcRepositoriesOfOneDomainTypeFailStartupAsAmbiguous() {
        this.contextRunner.withUserConfiguration(AmbiguousWidgetRepositories.class)
            .run((context) -> assertThat(startupFailure(context))
                .hasMessageContaining("cannot pair " + WidgetRepository.class.getName() + " automatically")
                .hasMessageContaining("1 Redis and 2 JDBC repositories manage " + Widget.class.getName())
                .hasMessageContaining("RepositoryPairing")
                .hasMessageContaining("dual-write.repositories.<name>.redis-repository"));
    }

    @Test
    void explicitPairingByBeanNamesResolvesAnAmbiguity() {
        this.contextRunner.withUserConfiguration(AmbiguousWidgetRepositories.class)
            .withPropertyValues("dual-write.repositories.autoconf_widgets_explicit.redis-repository=widgetRepository",
                    "dual-write.repositories.autoconf_widgets_explicit.postgres-repository=secondWidgetRowRepository",
                    "dual-write.repositories.autoconf_widgets_explicit.strategy=DUAL")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                DualRepository<?, ?, ?> pair = context.getBean(DualRepositoryRegistry.class)
                    .find(WidgetRepository.class)
                    .orElseThrow();
                assertThat(pair.name()).isEqualTo("autoconf_widgets_explicit");
                assertThat(pair.postgresInterface()).isEqualTo(SecondWidgetRowRepository.class);
                String id = newId();
                context.getBean(WidgetRepository.class).save(new Widget(id, "explicit", 1));
                assertThat(namesInPostgres(context, id)).containsExactly("explicit");
            });
    }

    @Test
    void explicitPairingByBeanNamesNeedsBothNames() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.repositories.autoconf_widgets_explicit.redis-repository=widgetRepository")
            .run((context) -> assertThat(startupFailure(context))
                .hasMessageContaining("dual-write.repositories.autoconf_widgets_explicit.redis-repository is set but "
                        + ".postgres-repository is not"));
    }

    @Test
    void explicitPairingByBeanNamesOfAMissingBeanFailsStartup() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("dual-write.repositories.autoconf_widgets_explicit.redis-repository=widgetRepository",
                    "dual-write.repositories.autoconf_widgets_explicit.postgres-repository=widgetRowRepositry")
            .run((context) -> assertThat(startupFailure(context))
                .hasMessageContaining("'autoconf_widgets_explicit' names JDBC repository bean 'widgetRowRepositry', "
                        + "which is not a bean of this application"));
    }

    @Test
    void explicitPairingOfDifferentEntityTypesWithoutMappingFailsStartup() {
        this.contextRunner.withUserConfiguration(GadgetRepositories.class)
            .withPropertyValues("dual-write.repositories.autoconf_gadgets.redis-repository=gadgetRepository",
                    "dual-write.repositories.autoconf_gadgets.postgres-repository=gadgetRowRepository")
            .run((context) -> assertThat(startupFailure(context))
                .hasMessageContaining("repository 'autoconf_gadgets' pairs Gadget with GadgetRow")
                .hasMessageContaining("declare a RepositoryPairing bean with .mappedBy(toPostgres, toRedis)"));
    }

    @Test
    void pairingBeanOfDifferentEntityTypesWithoutMappingFailsStartup() {
        this.contextRunner.withUserConfiguration(GadgetRepositories.class, UnmappedGadgetPairing.class)
            .run((context) -> assertThat(startupFailure(context))
                .hasMessageContaining("repository 'autoconf_gadgets' pairs Gadget with GadgetRow")
                .hasMessageContaining(".mappedBy(toPostgres, toRedis)"));
    }

    @Test
    void pairingOfMismatchedIdTypesFailsStartup() {
        this.contextRunner.withUserConfiguration(NumberedGadgetRepositories.class, NumberedGadgetPairing.class)
            .run((context) -> assertThat(startupFailure(context))
                .hasMessageContaining("repository 'autoconf_numbered_gadgets' pairs GadgetRepository (id String) with "
                        + "NumberedGadgetRowRepository (id Long)")
                .hasMessageContaining("same id type"));
    }

    @Test
    void pairingBeanWithMappingRoutesBothEntityTypes() {
        this.contextRunner.withUserConfiguration(GadgetRepositories.class, GadgetPairing.class)
            .withPropertyValues("dual-write.repositories." + GadgetPairing.NAME + ".strategy=DUAL")
            .run((context) -> {
                assertThat(pairNames(context)).containsExactly(GadgetPairing.NAME);
                GadgetRepository gadgets = context.getBean(GadgetRepository.class);
                String id = newId();
                gadgets.save(new Gadget(id, "mapped"));
                assertThat(labelsInPostgres(context, id)).containsExactly("mapped");
                // Once PostgreSQL serves reads, rows come back mapped to the Redis type.
                StrategySource strategies = context.getBean(StrategySource.class);
                // Forced: this test is about the mapping, not the gates of the moves.
                strategies.change(GadgetPairing.NAME, WriteStrategy.POSTGRES_PRIMARY, true);
                strategies.change(GadgetPairing.NAME, WriteStrategy.POSTGRES_ONLY, true);
                context.getBean(JdbcTemplate.class)
                    .update("update " + GadgetRow.TABLE + " set label = 'from-postgres' where id = ?", id);
                assertThat(gadgets.findById(id)).contains(new Gadget(id, "from-postgres"));
            });
    }

    // Flyway

    @Test
    void hostMigrationsKeepTheirOwnHistoryNextToTheLibrarys() {
        this.contextRunner.withUserConfiguration(WidgetRepositories.class).run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(tables(context)).contains(WIDGETS, GadgetRow.TABLE, "flyway_schema_history", "dualwrite_repair",
                    "dualwrite_schema_history");
            assertThat(appliedDescriptions(context, "flyway_schema_history")).containsExactly("autoconf widgets",
                    "autoconf gadget rows");
            // The host's tables were there first: the library's history starts with a baseline.
            assertThat(appliedDescriptions(context, "dualwrite_schema_history"))
                .containsExactly("<< Flyway Baseline >>", "repair records", "backfill", "repair claims", "control plane",
                        "verification reports", "backfill catch up", "backfill partitions");
        });
        // A restart finds both histories up to date.
        this.contextRunner.withUserConfiguration(WidgetRepositories.class).run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(appliedVersions(context, "flyway_schema_history")).containsExactly("1", "2");
            assertThat(appliedVersions(context, "dualwrite_schema_history")).containsExactly("0", "1", "2", "3", "4", "5", "6", "7");
        });
    }

    @Test
    void librarySchemaIsBaselinedInASchemaThatAlreadyHoldsHostTables() throws Exception {
        // A host without Flyway whose tables were created by other means.
        try (Connection connection = this.schema.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("create table " + WIDGETS
                    + " (id varchar(100) primary key, name varchar(200) not null, quantity integer not null)");
            statement.execute("insert into " + WIDGETS + " values ('kept', 'legacy', 1)");
        }
        this.contextRunner.withUserConfiguration(WidgetRepositories.class)
            .withPropertyValues("spring.flyway.enabled=false", "dual-write.strategy=DUAL")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(tables(context)).contains(WIDGETS, "dualwrite_repair")
                    .doesNotContain("flyway_schema_history");
                assertThat(appliedVersions(context, "dualwrite_schema_history")).containsExactly("0", "1", "2", "3", "4", "5", "6", "7");
                assertThat(namesInPostgres(context, "kept")).containsExactly("legacy");
                String id = newId();
                context.getBean(WidgetRepository.class).save(new Widget(id, "new", 1));
                assertThat(namesInPostgres(context, id)).containsExactly("new");
            });
    }

    private static Throwable startupFailure(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        return NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure());
    }

    private static void assertInactive(AssertableApplicationContext context) {
        assertThat(context).doesNotHaveBean(DualWriteRepositoryPostProcessor.class)
            .doesNotHaveBean(StrategySource.class)
            .doesNotHaveBean(WriteCoordinator.class)
            .doesNotHaveBean(DualRepositoryRegistry.class)
            .doesNotHaveBean(DualWriteSchemaMigration.class);
        assertThat(tables(context)).doesNotContain("dualwrite_repair", "dualwrite_schema_history");
    }

    private static List<String> pairNames(AssertableApplicationContext context) {
        return context.getBean(DualRepositoryRegistry.class).all().stream().map(DualRepository::name).toList();
    }

    private static DualRepository<?, ?, ?> pair(AssertableApplicationContext context) {
        return context.getBean(DualRepositoryRegistry.class).all().stream()
            .filter((pair) -> pair.name().equals(WIDGETS))
            .findFirst()
            .orElseThrow();
    }

    private static List<String> tables(AssertableApplicationContext context) {
        return context.getBean(JdbcTemplate.class)
            .queryForList("select table_name from information_schema.tables where table_schema = current_schema()",
                    String.class);
    }

    private static List<String> appliedVersions(AssertableApplicationContext context, String historyTable) {
        return context.getBean(JdbcTemplate.class)
            .queryForList("select version from " + historyTable + " where success order by installed_rank",
                    String.class);
    }

    private static List<String> appliedDescriptions(AssertableApplicationContext context, String historyTable) {
        return context.getBean(JdbcTemplate.class)
            .queryForList("select description from " + historyTable + " where success order by installed_rank",
                    String.class);
    }

    private static String nameInRedis(AssertableApplicationContext context, String id) {
        return context.getBean(StringRedisTemplate.class)
            .<String, String>opsForHash()
            .get(Widget.KEYSPACE + ":" + id, "name");
    }

    private static List<String> namesInPostgres(AssertableApplicationContext context, String id) {
        return context.getBean(JdbcTemplate.class)
            .queryForList("select name from " + WIDGETS + " where id = ?", String.class, id);
    }

    private static List<String> labelsInPostgres(AssertableApplicationContext context, String id) {
        return context.getBean(JdbcTemplate.class)
            .queryForList("select label from " + GadgetRow.TABLE + " where id = ?", String.class, id);
    }

    private static String redisRepairRecord(AssertableApplicationContext context, String id) {
        String record = context.getBean(StringRedisTemplate.class)
            .<String, String>opsForHash()
            .get(RedisRepairKeys.DEFAULT.records(WIDGETS), id);
        assertThat(record).as("repair record of key %s", id).isNotNull();
        return record;
    }

    private static TimeLimiter timeLimiter(SecondaryWriteGuard guard) {
        return (TimeLimiter) field(guard, "timeLimiter");
    }

    private static ThreadPoolExecutor executor(SecondaryWriteGuard guard) {
        return (ThreadPoolExecutor) field(guard, "executor");
    }

    @SuppressWarnings("unchecked")
    private static CircuitBreakerConfig breakerConfig(SecondaryWriteGuard guard, Store store) {
        return ((Map<Store, CircuitBreaker>) field(guard, "breakers")).get(store).getCircuitBreakerConfig();
    }

    private static Object field(Object target, String name) {
        return org.springframework.test.util.ReflectionTestUtils.getField(target, name);
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisRepositories(basePackageClasses = WidgetRepository.class)
    @EnableJdbcRepositories(basePackageClasses = WidgetRowRepository.class)
    static class WidgetRepositories {

    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisRepositories(basePackageClasses = WidgetRepository.class)
    @EnableJdbcRepositories(basePackageClasses = { WidgetRowRepository.class, SecondWidgetRowRepository.class })
    static class AmbiguousWidgetRepositories {

    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisRepositories(basePackageClasses = GadgetRepository.class)
    @EnableJdbcRepositories(basePackageClasses = GadgetRowRepository.class)
    static class GadgetRepositories {

    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisRepositories(basePackageClasses = { WidgetRepository.class, GadgetRepository.class })
    @EnableJdbcRepositories(basePackageClasses = { WidgetRowRepository.class, GadgetRowRepository.class })
    static class WidgetAndGadgetRepositories {

    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisRepositories(basePackageClasses = GadgetRepository.class)
    @EnableJdbcRepositories(basePackageClasses = NumberedGadgetRowRepository.class)
    static class NumberedGadgetRepositories {

    }

    @Configuration(proxyBeanMethods = false)
    static class GadgetPairing {

        static final String NAME = "autoconf_gadgets";

        @Bean
        RepositoryPairing<Gadget, GadgetRow> gadgetPairing() {
            return RepositoryPairing.of(NAME, GadgetRepository.class, GadgetRowRepository.class)
                .mappedBy(GadgetRow::of, GadgetRow::toGadget);
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UnmappedGadgetPairing {

        @Bean
        RepositoryPairing<Gadget, GadgetRow> gadgetPairing() {
            return RepositoryPairing.of(GadgetPairing.NAME, GadgetRepository.class, GadgetRowRepository.class);
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class NumberedGadgetPairing {

        @Bean
        RepositoryPairing<Gadget, NumberedGadgetRow> numberedGadgetPairing() {
            return RepositoryPairing.of("autoconf_numbered_gadgets", GadgetRepository.class,
                    NumberedGadgetRowRepository.class)
                .mappedBy((gadget) -> new NumberedGadgetRow(Long.valueOf(gadget.id()), gadget.name()),
                        (row) -> new Gadget(String.valueOf(row.id()), row.label()));
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UserStrategySource {

        @Bean
        StrategySource userStrategySource() {
            return new InMemoryStrategySource(WriteStrategy.DUAL, Map.of());
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UserPieces {

        private Ledger ledger;

        private final DualWriteMetrics metrics = new DualWriteMetrics(new SimpleMeterRegistry());

        private DualWriteSchemaMigration migration;

        private RedisRepairLog redisRepairLog;

        private PostgresRepairLog postgresRepairLog;

        private RepositoryExpiries expiries;

        private ExpirySweepLifecycle sweep;

        private final UnreadableValueListener unreadableValues = (repositoryInterface, failure) -> {
        };

        private final ReadRoutingSource readRoutings = new ReadRoutingSource(Map.of());

        private final ShadowReads shadowReads = new ShadowReads(Executors.newSingleThreadExecutor(), this.metrics, 1);

        private EntityComparator comparator;

        private ReadRouter readRouter;

        // Taking the migration: it creates the tables the ledger and the log write to.
        @Bean
        Ledger userLedger(DataSource dataSource, DualWriteSchemaMigration migration) {
            this.ledger = new Ledger(new JdbcTemplate(dataSource));
            return this.ledger;
        }

        @Bean
        DualWriteMetrics userDualWriteMetrics() {
            return this.metrics;
        }

        @Bean
        DualWriteSchemaMigration userSchemaMigration(DataSource dataSource) {
            this.migration = new DualWriteSchemaMigration(dataSource, "dualwrite_schema_history");
            return this.migration;
        }

        @Bean
        RedisRepairLog userRedisRepairLog(RedisConnectionFactory connectionFactory) {
            this.redisRepairLog = new RedisRepairLog(new StringRedisTemplate(connectionFactory));
            return this.redisRepairLog;
        }

        @Bean
        PostgresRepairLog userPostgresRepairLog(DataSource dataSource, DualWriteSchemaMigration migration) {
            this.postgresRepairLog = new PostgresRepairLog(new JdbcTemplate(dataSource));
            return this.postgresRepairLog;
        }

        @Bean
        RepositoryExpiries userRepositoryExpiries(DualWriteProperties properties,
                RelationalMappingContext mappingContext, ObjectProvider<RedisKeyValueAdapter> keyValueAdapter,
                DataSource dataSource) {
            this.expiries = new RepositoryExpiries(properties, mappingContext, keyValueAdapter,
                    new JdbcTemplate(dataSource));
            return this.expiries;
        }

        @Bean
        ExpirySweepLifecycle userExpirySweep(DualRepositoryRegistry registry) {
            this.sweep = new ExpirySweepLifecycle(registry, Duration.ofHours(1), 1, new SimpleMeterRegistry());
            return this.sweep;
        }

        @Bean
        UnreadableValueListener dualWriteUnreadableValueMeter() {
            return this.unreadableValues;
        }

        @Bean
        ReadRoutingSource userReadRoutingSource() {
            return this.readRoutings;
        }

        @Bean(destroyMethod = "close")
        ShadowReads userShadowReads() {
            return this.shadowReads;
        }

        @Bean
        EntityComparator userEntityComparator(RelationalMappingContext mappingContext) {
            this.comparator = new EntityComparator(mappingContext);
            return this.comparator;
        }

        @Bean
        ReadRouter userReadRouter(EntityComparator comparator) {
            this.readRouter = new ReadRouter(this.readRoutings, this.shadowReads, (name) -> Optional.empty(),
                    comparator, this.metrics);
            return this.readRouter;
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UserWriteCoordinator {

        @Bean
        CountingWriteCoordinator userWriteCoordinator(SecondaryWriteGuard guard, RedisRepairLog redisRepairLog,
                PostgresRepairLog postgresRepairLog, DualWriteMetrics metrics) {
            return new CountingWriteCoordinator(guard, redisRepairLog, postgresRepairLog, metrics);
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UserSecondaryWriteGuard {

        @Bean
        SecondaryWriteGuard userSecondaryWriteGuard(DualWriteMetrics metrics) {
            CircuitBreakerConfig config = CircuitBreakerConfig.ofDefaults();
            return new SecondaryWriteGuard(
                    Map.of(Store.REDIS, CircuitBreaker.of("user-redis", config), Store.POSTGRES,
                            CircuitBreaker.of("user-postgres", config)),
                    TimeLimiter.ofDefaults(), java.util.concurrent.Executors.newSingleThreadExecutor(),
                    FailurePolicy.STRICT, metrics);
        }

    }

    static class CountingWriteCoordinator extends WriteCoordinator {

        final AtomicInteger saves = new AtomicInteger();

        CountingWriteCoordinator(SecondaryWriteGuard guard, RedisRepairLog redisRepairLog,
                PostgresRepairLog postgresRepairLog, DualWriteMetrics metrics) {
            super(guard, redisRepairLog, postgresRepairLog, metrics);
        }

        // The form the repository decorator calls: with the call, which holds its stage.
        @Override
        public <R, P, ID> R save(DualRepository<R, P, ID> repository, StageCall call, R entity) {
            this.saves.incrementAndGet();
            return super.save(repository, call, entity);
        }

    }

    // The host's DataSource behind a wrapper, as a tracing or routing DataSource would be.
    @Configuration(proxyBeanMethods = false)
    static class WrappedHikariDataSource {

        @Bean
        ClosingDataSourceWrapper dataSource(DataSourceProperties properties) {
            HikariDataSource hikari = properties.initializeDataSourceBuilder().type(HikariDataSource.class).build();
            hikari.setMaximumPoolSize(6);
            hikari.setMinimumIdle(0);
            return new ClosingDataSourceWrapper(hikari);
        }

    }

    static class ClosingDataSourceWrapper extends DelegatingDataSource implements AutoCloseable {

        ClosingDataSourceWrapper(HikariDataSource target) {
            super(target);
        }

        @Override
        public void close() {
            ((HikariDataSource) obtainTargetDataSource()).close();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UnsharedLettuce {

        @Bean
        LettuceConnectionFactory redisConnectionFactory() {
            RedisServer redis = TestServers.redis();
            LettuceConnectionFactory factory = new LettuceConnectionFactory(
                    new RedisStandaloneConfiguration(redis.host(), redis.port()));
            factory.setShareNativeConnection(false);
            return factory;
        }

    }


    @Configuration(proxyBeanMethods = false)
    static class WidgetRowEvents {

        final List<String> seen = new CopyOnWriteArrayList<>();

        @EventListener
        void on(AbstractRelationalEvent<?> event) {
            if (event.getEntity() instanceof Widget widget) {
                this.seen.add(event.getClass().getSimpleName() + " " + widget.id());
            }
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class WidgetRowCallback {

        @Bean
        CheckedNames checkedNames() {
            return new CheckedNames();
        }

    }

    // A class, not a lambda, so that the entity type it applies to can be read.
    static class CheckedNames implements BeforeConvertCallback<Widget> {

        @Override
        public Widget onBeforeConvert(Widget widget) {
            return new Widget(widget.id(), widget.name() + " (checked)", widget.quantity());
        }

    }

}
