package dev.dualwrite.core.routing;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Stream;

import dev.dualwrite.core.compare.EntityComparator;
import dev.dualwrite.core.metrics.DualWriteMetrics;
import dev.dualwrite.core.metrics.DualWriteMetrics.FallbackReason;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.Assert;

/**
 * Decides which store serves a read and carries it out: the stage's read store, or, in
 * {@code DUAL}, PostgreSQL for the ramped share of reads (falling back to Redis when
 * PostgreSQL fails or does not have the answer), plus a shadow comparison with the other
 * store for the configured share of reads in {@code DUAL} and {@code POSTGRES_PRIMARY}.
 * <p>
 * Ramped reads are sticky: a read of one key (by {@code findById} or {@code existsById})
 * goes to PostgreSQL exactly when the key's hash falls below the percentage, so raising the
 * percentage only ever moves more keys over, and the same key does not flip between stores
 * from one call to the next.
 */
public class ReadRouter {

    private final ReadRoutingSource routings;

    private final ShadowReads shadowReads;

    private final Function<String, Optional<ShadowReadComparator>> comparators;

    private final DualWriteMetrics metrics;

    private final EntityComparator entities;

    // Set while a derived delete looks for its matches: they must come from the primary alone.
    private static final ThreadLocal<Boolean> primaryOnly = ThreadLocal.withInitial(() -> false);

    private final PostgresReads postgresReads = new PostgresReads();

    private final Map<String, ShadowReadComparator> defaultComparators = new ConcurrentHashMap<>();

    /**
     * @param routings the read routing of each repository
     * @param shadowReads runs shadow comparisons
     * @param comparators the application's comparator of a repository, if any
     * @param entities compares entities for repositories without a comparator of their own
     * @param metrics where reads and fallbacks are counted
     */
    public ReadRouter(ReadRoutingSource routings, ShadowReads shadowReads,
            Function<String, Optional<ShadowReadComparator>> comparators, EntityComparator entities,
            DualWriteMetrics metrics) {
        Assert.notNull(routings, "routings must not be null");
        Assert.notNull(shadowReads, "shadowReads must not be null");
        Assert.notNull(comparators, "comparators must not be null");
        Assert.notNull(entities, "entities must not be null");
        Assert.notNull(metrics, "metrics must not be null");
        this.routings = routings;
        this.entities = entities;
        this.shadowReads = shadowReads;
        this.comparators = comparators;
        this.metrics = metrics;
    }

    /**
     * Serve one read of a paired repository in the given stage.
     * @param repository the paired repository
     * @param strategy the stage in force
     * @param invocation the call on the Redis repository proxy; proceeding reads Redis
     * @return the answer, in the Redis repository's types
     */
    public @Nullable Object read(DualRepository<Object, Object, Object> repository, WriteStrategy strategy,
            MethodInvocation invocation) throws Throwable {
        if (strategy == WriteStrategy.REDIS_PRIMARY) {
            return timed(repository, Store.REDIS, invocation::proceed);
        }
        ReadRouting routing = (primaryOnly.get() || readsOwnUncommittedWrites(repository)) ? ReadRouting.NONE
                : this.routings.routingFor(repository.name());
        Method method = invocation.getMethod();
        if (strategy == WriteStrategy.DUAL && rampedToPostgres(routing, method, invocation.getArguments())) {
            return rampedRead(repository, routing, invocation);
        }
        // Taken before proceeding: once the caller's invocation has run it cannot run again.
        Read otherStore = otherStoreRead(repository, strategy, routing, invocation);
        Object result = (strategy.readStore() == Store.REDIS) ? timed(repository, Store.REDIS, invocation::proceed)
                : timed(repository, Store.POSTGRES, () -> readPostgres(repository, invocation));
        if (otherStore != null && shadowed(routing, result)) {
            this.shadowReads.compare(repository.name(), method.getName(), keyOf(invocation), result, otherStore::get,
                    comparatorOf(repository));
        }
        return result;
    }

    /**
     * Return the names of a repository interface's methods that are routed as reads.
     * @param repositoryInterface the application's repository interface
     * @return the read method names
     */
    public static Set<String> readMethodNames(Class<?> repositoryInterface) {
        RepositoryMethods methods = new RepositoryMethods();
        Set<String> names = new TreeSet<>();
        for (Method method : repositoryInterface.getMethods()) {
            if (methods.kindOf(method) == RepositoryMethods.Kind.READ) {
                names.add(method.getName());
            }
        }
        return names;
    }

    /**
     * Run {@code read} with every read served by the stage's read store (the primary), with
     * no ramping and no shadow comparison.
     * @param read the reads to run
     * @return what {@code read} returned
     */
    static @Nullable Object onPrimary(Read read) throws Throwable {
        primaryOnly.set(true);
        try {
            return read.get();
        }
        finally {
            primaryOnly.remove();
        }
    }

    // Inside a read-write transaction on a JDBC old store (the caller's), the old store holds
    // the transaction's own writes, which PostgreSQL does not have until it commits: reads go
    // to the old store alone, neither ramped nor shadowed. A read-only transaction writes
    // nothing.
    private static boolean readsOwnUncommittedWrites(DualRepository<?, ?, ?> repository) {
        return repository.old().writesJoinCallersTransaction()
                && !TransactionSynchronizationManager.isCurrentTransactionReadOnly();
    }

    private @Nullable Object rampedRead(DualRepository<Object, Object, Object> repository, ReadRouting routing,
            MethodInvocation invocation) throws Throwable {
        try {
            Object fromPostgres = timed(repository, Store.POSTGRES, () -> readPostgres(repository, invocation));
            if (!isMiss(fromPostgres)) {
                if (shadowed(routing, fromPostgres) && invocation instanceof ProxyMethodInvocation proxyInvocation) {
                    // PostgreSQL answered in Redis's stead: compare with Redis, still the truth in DUAL.
                    MethodInvocation redisRead = proxyInvocation.invocableClone();
                    this.shadowReads.compare(repository.name(), invocation.getMethod().getName(), keyOf(invocation),
                            fromPostgres, redisRead::proceed, comparatorOf(repository));
                }
                return fromPostgres;
            }
            this.metrics.recordFallback(repository.name(), FallbackReason.MISS);
        }
        catch (UnroutableMethodException ex) {
            throw ex;
        }
        catch (RuntimeException ex) {
            // Redis is still the source of truth in DUAL: the caller gets its answer.
            this.metrics.recordFallback(repository.name(), FallbackReason.ERROR);
        }
        return timed(repository, Store.REDIS, invocation::proceed);
    }

    private @Nullable Read otherStoreRead(DualRepository<Object, Object, Object> repository, WriteStrategy strategy,
            ReadRouting routing, MethodInvocation invocation) {
        if (!strategy.writesBoth() || routing.shadowReadPercent() == 0) {
            return null;
        }
        if (strategy.readStore() == Store.REDIS) {
            Object[] args = invocation.getArguments().clone();
            return () -> this.postgresReads.read(repository, invocation.getMethod(), args);
        }
        if (invocation instanceof ProxyMethodInvocation proxyInvocation) {
            // A clone proceeds down the rest of the advice chain, to Redis, from another thread.
            MethodInvocation clone = proxyInvocation.invocableClone();
            return clone::proceed;
        }
        return null;
    }

    private @Nullable Object readPostgres(DualRepository<Object, Object, Object> repository,
            MethodInvocation invocation) {
        return this.postgresReads.read(repository, invocation.getMethod(), invocation.getArguments());
    }

    private boolean shadowed(ReadRouting routing, @Nullable Object result) {
        // A stream can be consumed once, by the caller.
        return !(result instanceof Stream<?>)
                && ThreadLocalRandom.current().nextInt(100) < routing.shadowReadPercent();
    }

    private static boolean rampedToPostgres(ReadRouting routing, Method method, @Nullable Object[] args) {
        int percent = routing.readPercentOf(method.getName());
        if (percent == 0) {
            return false;
        }
        return percent == 100 || bucket(stickyKey(method, args)) < percent;
    }

    private static String stickyKey(Method method, @Nullable Object[] args) {
        if (isSingleKeyRead(method, args)) {
            return String.valueOf(args[0]);
        }
        return method.getName() + Arrays.deepToString(args);
    }

    private static boolean isSingleKeyRead(Method method, @Nullable Object[] args) {
        return (method.getName().equals("findById") || method.getName().equals("existsById")) && args.length == 1;
    }

    // A well-mixed bucket 0..99 of a key: String.hashCode alone clusters similar keys.
    static int bucket(String key) {
        long hash = key.hashCode() * 0x9E3779B97F4A7C15L;
        hash ^= (hash >>> 32);
        return (int) Math.floorMod(hash, 100L);
    }

    private static boolean isMiss(@Nullable Object result) {
        return result == null || (result instanceof Optional<?> optional && optional.isEmpty())
                || Boolean.FALSE.equals(result) || (result instanceof Collection<?> collection && collection.isEmpty());
    }

    private static String keyOf(MethodInvocation invocation) {
        Object[] args = invocation.getArguments();
        return isSingleKeyRead(invocation.getMethod(), args) ? String.valueOf(args[0]) : Arrays.deepToString(args);
    }

    private ShadowReadComparator comparatorOf(DualRepository<Object, Object, Object> repository) {
        return this.comparators.apply(repository.name())
            .orElseGet(() -> this.defaultComparators.computeIfAbsent(repository.name(),
                    (name) -> new DefaultShadowReadComparator(repository, this.entities)));
    }

    private @Nullable Object timed(DualRepository<?, ?, ?> repository, Store store, Read read) throws Throwable {
        long start = System.nanoTime();
        try {
            Object result = read.get();
            this.metrics.recordRead(repository.name(), store, start, true);
            return result;
        }
        catch (Throwable ex) {
            this.metrics.recordRead(repository.name(), store, start, false);
            throw ex;
        }
    }

    @FunctionalInterface
    interface Read {

        @Nullable Object get() throws Throwable;

    }

}
