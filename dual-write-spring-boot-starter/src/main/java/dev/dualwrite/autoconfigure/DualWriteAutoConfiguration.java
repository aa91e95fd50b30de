package dev.dualwrite.autoconfigure;

import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.dualwrite.autoconfigure.expiry.ExpirySweepLifecycle;
import dev.dualwrite.autoconfigure.properties.DualWriteProperties;
import dev.dualwrite.autoconfigure.properties.DualWriteRepairProperties;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.autoconfigure.repository.DualWriteRepositoryPostProcessor;
import dev.dualwrite.autoconfigure.repository.RepositoryExpiries;
import dev.dualwrite.autoconfigure.schema.DualWriteSchemaMigration;
import dev.dualwrite.autoconfigure.source.OldStoreSource;
import dev.dualwrite.core.compare.EntityComparator;
import dev.dualwrite.core.control.ControlPlane;
import dev.dualwrite.core.control.ControlPlaneSettings;
import dev.dualwrite.core.control.StageListener;
import dev.dualwrite.core.ledger.Ledger;
import dev.dualwrite.core.metrics.DualWriteMetrics;
import dev.dualwrite.core.routing.RepositoryPairing;
import dev.dualwrite.core.redis.json.SimpleRedisJsonRepository;
import dev.dualwrite.core.redis.json.UnreadableValueListener;
import dev.dualwrite.core.repair.ClaimableRepairLog;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RedisRepairKeys;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.repair.RepairLogs;
import dev.dualwrite.core.repair.RoutingOldStoreRepairLog;
import dev.dualwrite.core.routing.ReadRouter;
import dev.dualwrite.core.routing.ReadRouting;
import dev.dualwrite.core.routing.ReadRoutingSource;
import dev.dualwrite.core.routing.ShadowReadComparator;
import dev.dualwrite.core.routing.ShadowReads;
import dev.dualwrite.core.routing.WriteCoordinator;
import dev.dualwrite.core.secondary.SecondaryWriteGuard;
import dev.dualwrite.core.store.AbortableDataSource;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.jdbc.autoconfigure.DataJdbcRepositoriesAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisRepositoriesAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationInitializer;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisKeyValueAdapter;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.relational.core.mapping.RelationalMappingContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Auto-configuration of dual-write: decorates every old-store repository (a Redis repository,
 * or a repository an {@link OldStoreSource} such as a {@code JdbcSource} lists) that has a
 * PostgreSQL counterpart so its calls are routed by the configured write strategy.
 * <p>
 * Active when Spring Data JDBC is set up and there is an old store to migrate from: a Redis
 * connection factory, or an {@link OldStoreSource} bean. The Redis beans (its repair log) need
 * the connection factory, so an application migrating only from sources needs no Redis. Every
 * bean backs off when the application defines its own.
 */
@AutoConfiguration(after = { DataRedisAutoConfiguration.class, DataRedisRepositoriesAutoConfiguration.class,
        DataJdbcRepositoriesAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
        DataSourceTransactionManagerAutoConfiguration.class, FlywayAutoConfiguration.class })
@ConditionalOnClass({ RedisOperations.class, JdbcAggregateOperations.class })
@ConditionalOnBean(DataSource.class)
@Conditional(DualWriteAutoConfiguration.OnOldStore.class)
// The repair properties too: the Redis repair log built here needs the interrupted-write grace.
@EnableConfigurationProperties({ DualWriteProperties.class, DualWriteRepairProperties.class })
public final class DualWriteAutoConfiguration {

    private static final Logger logger = LoggerFactory.getLogger(DualWriteAutoConfiguration.class);

    // Static: a BeanPostProcessor must exist before the repositories it decorates, and must
    // not pull the rest of this configuration in early.
    @Bean
    static DualWriteRepositoryPostProcessor dualWriteRepositoryPostProcessor(
            ObjectProvider<DualRepositoryRegistry> registry, ObjectProvider<StrategySource> strategies,
            ObjectProvider<WriteCoordinator> writes, ObjectProvider<ReadRouter> reads,
            ObjectProvider<OldStoreSource> sources) {
        return new DualWriteRepositoryPostProcessor(registry, strategies, writes, reads, sources);
    }

    // The strategy source every call asks: the control plane, whose stages live in PostgreSQL
    // and are shared by every instance. Configuration only seeds a repository with no stage.
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(StrategySource.class)
    ControlPlane dualWriteControlPlane(DataSource dataSource, PlatformTransactionManager transactionManager,
            DualWriteProperties properties, RoutingOldStoreRepairLog oldStoreRepairLog,
            PostgresRepairLog postgresRepairLog, Ledger ledger, ObjectProvider<StageListener> stageListeners) {
        DualWriteProperties.Control control = properties.getControl();
        String host = InstanceNames.host();
        String instanceId = (control.getInstanceId() != null) ? control.getInstanceId() : InstanceNames.generate(host);
        // Its own transactions, never the caller's: a move must commit (or not) before this
        // instance applies it.
        TransactionTemplate ownTransactions = new TransactionTemplate(transactionManager);
        ownTransactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        Duration pollTimeout = (control.getPollTimeout() != null) ? control.getPollTimeout()
                : ControlPlaneSettings.defaultPollTimeout(control.getInstanceTimeout());
        if (pollTimeout.compareTo(control.getInstanceTimeout()) >= 0) {
            throw new IllegalStateException("dual-write.control.poll-timeout (" + pollTimeout
                    + ") must be shorter than dual-write.control.instance-timeout (" + control.getInstanceTimeout()
                    + "): a round that hangs until it is ended would otherwise cost this instance its place in the "
                    + "agreement; lower it, or leave it unset (a third of the instance timeout)");
        }
        // Abortable connections: a background round past its poll timeout is ended even in a
        // socket read on a silent PostgreSQL, which the driver's default socketTimeout (none)
        // would let wait for as long as TCP does.
        ControlPlane controlPlane = new ControlPlane(new JdbcTemplate(AbortableDataSource.of(dataSource)),
                ownTransactions, ledger, oldStoreRepairLog, postgresRepairLog,
                new ControlPlaneSettings(instanceId, host, control.getPollInterval(), control.getHeartbeatInterval(),
                        control.getInstanceTimeout(), control.getInFlightGrace(), control.getDrainTimeout(),
                        pollTimeout),
                properties.getStrategy());
        // Before any repository registers, so that listeners hear every first stage.
        stageListeners.orderedStream().forEach(controlPlane::addStageListener);
        controlPlane.start();
        return controlPlane;
    }

    @Bean
    @ConditionalOnMissingBean
    Ledger dualWriteLedger(DataSource dataSource, ObjectProvider<DualWriteSchemaMigration> migration) {
        // Creating the migration bean creates the table the ledger writes to.
        migration.getIfAvailable();
        // Abortable connections: the control plane's rounds read the ledger too.
        return new Ledger(new JdbcTemplate(AbortableDataSource.of(dataSource)));
    }

    @Bean
    @ConditionalOnMissingBean
    DualWriteMetrics dualWriteMetrics() {
        // No meter registry in the application: meters go to an empty composite, which drops them.
        return new DualWriteMetrics(new CompositeMeterRegistry());
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "dual-write.schema.migrate", matchIfMissing = true)
    @ConditionalOnMissingBean
    DualWriteSchemaMigration dualWriteSchemaMigration(DataSource dataSource, DualWriteProperties properties,
            ObjectProvider<FlywayMigrationInitializer> applicationMigrations) {
        // Creating the application's migration initializer runs its Flyway: it must run first,
        // because it may refuse a schema that already holds our tables.
        applicationMigrations.getIfAvailable();
        return new DualWriteSchemaMigration(dataSource, properties.getSchema().getHistoryTable());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(RedisConnectionFactory.class)
    RedisRepairLog dualWriteRedisRepairLog(RedisConnectionFactory connectionFactory, DualWriteProperties properties,
            DualWriteRepairProperties repairProperties, ObjectProvider<DataRedisProperties> redisProperties) {
        Duration secondaryTimeout = properties.getSecondary().getTimeout();
        Duration inFlightGrace = properties.getControl().getInFlightGrace();
        WriteGraces.checkInFlightGrace(inFlightGrace, secondaryTimeout);
        // A live write holds its intent through its Redis commands and its copy: a grace no
        // longer than both would have the reconciler repair a stalled live write as an
        // interrupted one, and lose it should the process die once its Redis write landed.
        Duration grace = WriteGraces.interruptedWriteGrace(repairProperties.getInterruptedWriteGrace(),
                secondaryTimeout, WriteGraces.redisCommandTimeout(connectionFactory, redisProperties.getIfAvailable()));
        // Counts in the backlog (health, metrics, endpoint) follow the gates' in-flight grace.
        return new RedisRepairLog(new StringRedisTemplate(connectionFactory), grace, inFlightGrace,
                redisRepairKeys(repairProperties.getRedisKeyPrefix()));
    }

    private static RedisRepairKeys redisRepairKeys(String prefix) {
        try {
            return new RedisRepairKeys(prefix);
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidConfigurationPropertyValueException("dual-write.repair.redis-key-prefix", prefix,
                    ex.getMessage());
        }
    }

    // Each repository's records live in its own old store: Redis's log unless the registry
    // routes a pair whose old store is a OldStoreSource to that database's log.
    @Bean
    @ConditionalOnMissingBean
    RoutingOldStoreRepairLog dualWriteOldStoreRepairLog(ObjectProvider<RedisRepairLog> redisRepairLog) {
        return new RoutingOldStoreRepairLog(redisRepairLog.getIfAvailable());
    }

    @Bean
    @ConditionalOnMissingBean
    PostgresRepairLog dualWritePostgresRepairLog(DataSource dataSource,
            ObjectProvider<DualWriteSchemaMigration> migration) {
        // Creating the migration bean creates the table this log writes to.
        migration.getIfAvailable();
        // Abortable connections: a reconciler round past its time limit is ended even in a
        // socket read on a silent PostgreSQL.
        return new PostgresRepairLog(new JdbcTemplate(AbortableDataSource.of(dataSource)));
    }

    @Bean
    @ConditionalOnMissingBean
    SecondaryWriteGuard dualWriteSecondaryGuard(DualWriteProperties properties, DualWriteMetrics metrics,
            DataSource dataSource, ObjectProvider<RedisConnectionFactory> redisConnectionFactory) {
        DualWriteProperties.Secondary secondary = properties.getSecondary();
        DualWriteProperties.CircuitBreaker breaker = secondary.getCircuitBreaker();
        CircuitBreakerConfig breakerConfig = CircuitBreakerConfig.custom()
            .failureRateThreshold(breaker.getFailureRateThreshold())
            .slidingWindowSize(breaker.getSlidingWindowSize())
            .minimumNumberOfCalls(breaker.getMinimumNumberOfCalls())
            .waitDurationInOpenState(breaker.getWaitDurationInOpenState())
            .permittedNumberOfCallsInHalfOpenState(breaker.getPermittedNumberOfCallsInHalfOpenState())
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            .build();
        Map<Store, CircuitBreaker> breakers = new EnumMap<>(Store.class);
        for (Store store : Store.values()) {
            breakers.put(store, CircuitBreaker.of("dualwrite-" + store.tagValue(), breakerConfig));
        }
        // A timed-out write is interrupted (the guard also aborts its PostgreSQL connection if
        // the interrupt does not end it): left running, it would hold a connection and the
        // key's lock for as long as the store client waits (60 s by default for Lettuce).
        TimeLimiter timeLimiter = TimeLimiter
            .of(TimeLimiterConfig.custom().timeoutDuration(secondary.getTimeout()).cancelRunningFuture(true).build());
        ConnectionBudget budget = ConnectionBudget.of(dataSource);
        budget.warnWhenSecondaryCanStarvePrimary(secondary.getPoolSize());
        redisConnectionFactory.ifAvailable(LettuceCommandOrder::warnIfUnordered);
        return new SecondaryWriteGuard(breakers, timeLimiter,
                secondaryExecutor(budget.secondaryThreads(secondary.getPoolSize()), secondary.getQueueCapacity()),
                secondary.getFailurePolicy(), metrics);
    }

    @Bean
    @ConditionalOnMissingBean
    WriteCoordinator dualWriteCoordinator(SecondaryWriteGuard guard, RoutingOldStoreRepairLog oldStoreRepairLog,
            PostgresRepairLog postgresRepairLog, DualWriteMetrics metrics) {
        return new WriteCoordinator(guard, oldStoreRepairLog, postgresRepairLog, metrics);
    }

    @Bean
    @ConditionalOnMissingBean
    DualRepositoryRegistry dualRepositoryRegistry(ListableBeanFactory beans, DualWriteProperties properties,
            DualWriteRepositoryPostProcessor postProcessor, ObjectProvider<RepositoryPairing<?, ?>> pairings,
            JdbcAggregateOperations aggregates, RelationalMappingContext mappingContext, DataSource dataSource,
            PlatformTransactionManager transactionManager, DualWriteMetrics metrics, StrategySource strategies,
            RoutingOldStoreRepairLog oldStoreRepairLog, PostgresRepairLog postgresRepairLog,
            RepositoryExpiries expiries, ApplicationEventPublisher events, DualWriteRepairProperties repairProperties) {
        Map<Store, ClaimableRepairLog> logs = RepairLogs.byStoreToRepair(oldStoreRepairLog, postgresRepairLog);
        OldStoreSourceRepairLogs sourceLogs = new OldStoreSourceRepairLogs(properties, repairProperties);
        return new DualRepositoryRegistry(beans, properties, postProcessor, pairings.orderedStream().toList(),
                aggregates, mappingContext, new JdbcTemplate(dataSource), new TransactionTemplate(transactionManager),
                (pair, oldInterface, source) -> {
                    // Before the stage is registered: no call is routed to this pair before its
                    // records have their home.
                    if (source != null) {
                        oldStoreRepairLog.route(pair.name(), sourceLogs.logOf(source));
                    }
                    if (strategies instanceof ControlPlane controlPlane) {
                        controlPlane.register(pair.name(), configuredStrategy(properties, pair.name()));
                    }
                    metrics.registerRepository(pair.name(), (name, store) -> logs.get(store).pendingCount(name));
                    metrics.registerReadMethods(pair.name(), ReadRouter.readMethodNames(oldInterface));
                    if (pair.old().repository() instanceof SimpleRedisJsonRepository<?, ?>) {
                        metrics.registerUnreadableValues(pair.name());
                    }
                    logger.info("dual-write: repository '{}' pairs {} ({}) with {}; strategy {}; rows written by {}",
                            pair.name(), pair.old().entityType().getSimpleName(), pair.old().describe(),
                            pair.postgresInterface().getSimpleName(), strategies.strategyFor(pair.name()),
                            pair.postgres().writesRowsItself() ? "dual-write's own statement"
                                    : "Spring Data JDBC (entity callbacks, or not a flat entity)");
                }, expiries, events);
    }

    @Bean
    @ConditionalOnMissingBean
    RepositoryExpiries dualWriteRepositoryExpiries(DualWriteProperties properties,
            RelationalMappingContext mappingContext, ObjectProvider<RedisKeyValueAdapter> keyValueAdapter,
            DataSource dataSource) {
        return new RepositoryExpiries(properties, mappingContext, keyValueAdapter,
                new JdbcTemplate(dataSource));
    }

    // Reads hide expired rows whether or not this runs; it only keeps the tables small.
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "dual-write.expiry.sweep.enabled", matchIfMissing = true)
    ExpirySweepLifecycle dualWriteExpirySweep(DualRepositoryRegistry registry, DualWriteProperties properties,
            StrategySource strategies, ObjectProvider<MeterRegistry> meterRegistry) {
        DualWriteProperties.Sweep sweep = properties.getExpiry().getSweep();
        if (sweep.getInterval() == null || sweep.getInterval().isNegative() || sweep.getInterval().isZero()) {
            throw new IllegalStateException("dual-write.expiry.sweep.interval must be positive, was "
                    + sweep.getInterval() + "; set a time such as 1m, or dual-write.expiry.sweep.enabled=false");
        }
        if (sweep.getBatchSize() <= 0) {
            throw new IllegalStateException("dual-write.expiry.sweep.batch-size must be positive, was "
                    + sweep.getBatchSize());
        }
        // No meter registry in the application: an empty composite drops the counts.
        return new ExpirySweepLifecycle(registry, strategies, sweep.getInterval(), sweep.getBatchSize(),
                meterRegistry.getIfAvailable(CompositeMeterRegistry::new));
    }

    // Every JSON-string repository reports the values its multi-key reads leave out to the
    // UnreadableValueListener beans; they are counted under the pair's name, like every other
    // meter (those of an unpaired repository are only logged).
    @Bean
    @ConditionalOnMissingBean(name = "dualWriteUnreadableValueMeter")
    UnreadableValueListener dualWriteUnreadableValueMeter(ObjectProvider<DualRepositoryRegistry> registry,
            DualWriteMetrics metrics) {
        return (repositoryInterface, failure) -> registry.getObject()
            .find(repositoryInterface)
            .ifPresent((pair) -> metrics.recordUnreadableValue(pair.name()));
    }

    @Bean
    @ConditionalOnMissingBean
    ReadRoutingSource dualWriteReadRoutingSource(DualWriteProperties properties) {
        Map<String, ReadRouting> routings = new LinkedHashMap<>();
        properties.getRepositories().forEach((name, repository) -> routings.put(name,
                new ReadRouting(repository.getReadPercent(), repository.getReadPercentByMethod(),
                        repository.getShadowReadPercent())));
        return new ReadRoutingSource(routings);
    }

    @Bean
    StageListener dualWriteReadRampGuard(ReadRoutingSource routings, ObjectProvider<ControlPlane> controlPlane) {
        return new ReadRampGuard(routings, controlPlane);
    }

    @Bean
    @ConditionalOnBean(RedisConnectionFactory.class)
    SmartInitializingSingleton dualWriteRepairKeysOverlapCheck(DualRepositoryRegistry registry,
            ObjectProvider<RedisRepairLog> redisRepairLog, RedisConnectionFactory connectionFactory,
            ObjectProvider<RedisKeyValueAdapter> keyValueAdapters) {
        return new RepairKeysOverlapCheck(registry, redisRepairLog, connectionFactory, keyValueAdapters);
    }

    @Bean
    @ConditionalOnMissingBean
    ShadowReads dualWriteShadowReads(DualWriteProperties properties, DualWriteMetrics metrics) {
        DualWriteProperties.Shadow shadow = properties.getShadow();
        return new ShadowReads(boundedExecutor("dualwrite-shadow-", shadow.getPoolSize(), shadow.getQueueCapacity()),
                metrics, shadow.getMismatchSampleSize());
    }

    @Bean
    @ConditionalOnMissingBean
    EntityComparator dualWriteEntityComparator(RelationalMappingContext mappingContext) {
        return new EntityComparator(mappingContext);
    }

    @Bean
    @ConditionalOnMissingBean
    ReadRouter dualWriteReadRouter(ReadRoutingSource routings, ShadowReads shadowReads,
            ObjectProvider<ShadowReadComparator> comparators, EntityComparator entities, DualWriteMetrics metrics) {
        Map<String, ShadowReadComparator> byRepository = new ConcurrentHashMap<>();
        comparators.orderedStream().forEach((comparator) -> byRepository.putIfAbsent(comparator.repository(), comparator));
        return new ReadRouter(routings, shadowReads, (name) -> Optional.ofNullable(byRepository.get(name)), entities,
                metrics);
    }

    // An old store to migrate from: Redis, or a source.
    static final class OnOldStore extends AnyNestedCondition {

        OnOldStore() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnBean(RedisConnectionFactory.class)
        static final class Redis {

        }

        @ConditionalOnBean(OldStoreSource.class)
        static final class Jdbc {

        }

    }

    private static WriteStrategy configuredStrategy(DualWriteProperties properties, String repository) {
        DualWriteProperties.Repository settings = properties.getRepositories().get(repository);
        return (settings != null && settings.getStrategy() != null) ? settings.getStrategy() : properties.getStrategy();
    }

    private static ExecutorService secondaryExecutor(int threads, int queueCapacity) {
        // When the secondary cannot keep up, writes are recorded for repair instead of piling
        // up in memory; a write waiting in the queue spends its own time limit there.
        return boundedExecutor("dualwrite-secondary-", threads, queueCapacity);
    }

    // Bounded queue with AbortPolicy: work beyond capacity is rejected, never queued without end.
    // Daemon threads: work hung past shutdown (a secondary write, whose key is recorded for
    // repair, or a shadow read) must not keep the JVM alive.
    private static ExecutorService boundedExecutor(String threadPrefix, int threads, int queueCapacity) {
        CustomizableThreadFactory threadFactory = new CustomizableThreadFactory(threadPrefix);
        threadFactory.setDaemon(true);
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), threadFactory, new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

}
