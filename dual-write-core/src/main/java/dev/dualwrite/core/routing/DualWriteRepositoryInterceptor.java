package dev.dualwrite.core.routing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.routing.RepositoryMethods.Kind;
import dev.dualwrite.core.store.RedisSide;
import dev.dualwrite.core.strategy.StageCall;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.Assert;
import org.springframework.util.ReflectionUtils;

/**
 * The repository decorator: an advice on the application's Redis repository proxy that
 * routes every call by the repository's current {@link WriteStrategy}.
 * <p>
 * In {@code REDIS_PRIMARY} every call goes on to Redis untouched, except derived deletes,
 * which Spring Data Redis would run as plain finders. In the other stages
 * writes go through the {@link WriteCoordinator} one key at a time (so {@code saveAll},
 * {@code deleteAll} and derived deletes get the same per-key guarantees as {@code save}),
 * and reads go where the {@link ReadRouter} sends them. A method that is neither a
 * {@code CrudRepository} method nor a derived query is refused with a clear message,
 * because dual-write cannot tell whether it writes.
 */
public class DualWriteRepositoryInterceptor implements MethodInterceptor {

    private final Class<?> repositoryInterface;

    private final Supplier<Optional<DualRepository<Object, Object, Object>>> repository;

    private final StrategySource strategies;

    private final WriteCoordinator writes;

    private final ReadRouter reads;

    private final RepositoryMethods methods = new RepositoryMethods();

    /**
     * @param repositoryInterface the application's repository interface
     * @param repository the paired repository, resolved lazily because the PostgreSQL
     * repository may not exist yet when the Redis proxy is built; empty when unpaired
     * @param strategies where the current stage comes from
     * @param writes carries out writes
     * @param reads carries out reads
     */
    public DualWriteRepositoryInterceptor(Class<?> repositoryInterface,
            Supplier<Optional<DualRepository<Object, Object, Object>>> repository, StrategySource strategies,
            WriteCoordinator writes, ReadRouter reads) {
        Assert.notNull(repositoryInterface, "repositoryInterface must not be null");
        Assert.notNull(repository, "repository must not be null");
        Assert.notNull(strategies, "strategies must not be null");
        Assert.notNull(writes, "writes must not be null");
        Assert.notNull(reads, "reads must not be null");
        this.repositoryInterface = repositoryInterface;
        this.repository = repository;
        this.strategies = strategies;
        this.writes = writes;
        this.reads = reads;
    }

    @Override
    public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
        Optional<DualRepository<Object, Object, Object>> paired = this.repository.get();
        Kind kind = this.methods.kindOf(invocation.getMethod());
        if (paired.isEmpty() || kind == Kind.OBJECT_METHOD) {
            return invocation.proceed();
        }
        DualRepository<Object, Object, Object> repository = paired.get();
        if (kind == Kind.READ) {
            return this.reads.read(repository, this.strategies.strategyFor(repository.name()), invocation);
        }
        // A write runs under one stage from start to end: the stage it began under stays
        // "in flight" until the write is over, and a shared strategy source tells other
        // instances that this one applies a newer stage only once such writes have ended.
        StageCall call = this.strategies.begin(repository.name());
        boolean endsWithTransaction = false;
        try {
            Object result = write(repository, call, kind, invocation);
            endsWithTransaction = endWithTransaction(call);
            return result;
        }
        finally {
            if (!endsWithTransaction) {
                call.close();
            }
        }
    }

    // Inside the caller's transaction the write is over only once that transaction has
    // completed: its rows and records commit then, and the copy to Redis runs after commit.
    // Completion callbacks run after every commit callback, so the copy is covered too.
    private static boolean endWithTransaction(StageCall call) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            return false;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                call.close();
            }
        });
        return true;
    }

    private @Nullable Object write(DualRepository<Object, Object, Object> repository, StageCall call, Kind kind,
            MethodInvocation invocation) throws Throwable {
        WriteStrategy strategy = call.strategy();
        if (strategy == WriteStrategy.REDIS_PRIMARY
                && (kind != Kind.DERIVED_DELETE || !(repository.old() instanceof RedisSide<?, ?>))) {
            // Adding the library changes nothing: the call goes on to the old store as it always
            // did. (Derived deletes of a Redis repository are the exception: Spring Data Redis
            // runs them as finders. Spring Data JDBC runs them.)
            return invocation.proceed();
        }
        Object[] args = invocation.getArguments();
        return switch (kind) {
            case READ, OBJECT_METHOD -> throw new IllegalStateException("Not a write: " + invocation.getMethod());
            case SAVE -> this.writes.save(repository, call, args[0]);
            case SAVE_ALL -> saveAll(repository, call, (Iterable<?>) args[0]);
            case DELETE -> deleteOne(repository, call, requiredId(repository, args[0]));
            case DELETE_BY_ID -> deleteOne(repository, call, args[0]);
            case DELETE_ALL_BY_ID -> deleteAll(repository, call, (Iterable<?>) args[0]);
            case DELETE_ALL_ENTITIES -> deleteAll(repository, call,
                    toList((Iterable<?>) args[0]).stream().map((entity) -> requiredId(repository, entity)).toList());
            case DELETE_ALL -> deleteAll(repository, call, allIds(repository, strategy));
            case DERIVED_DELETE -> derivedDelete(repository, call, invocation);
            case UNKNOWN -> throw new UnroutableMethodException(repository.name(), invocation.getMethod(),
                    "it is neither a CrudRepository method nor a derived query (find/count/exists/delete...By), so "
                            + "dual-write cannot tell whether it writes and would reach only one store in " + strategy);
        };
    }

    private List<Object> saveAll(DualRepository<Object, Object, Object> repository, StageCall call,
            Iterable<?> entities) {
        List<Object> saved = new ArrayList<>();
        for (Object entity : entities) {
            saved.add(this.writes.save(repository, call, entity));
        }
        return saved;
    }

    private @Nullable Object deleteOne(DualRepository<Object, Object, Object> repository, StageCall call,
            Object id) {
        this.writes.delete(repository, call, id);
        return null;
    }

    private @Nullable Object deleteAll(DualRepository<Object, Object, Object> repository, StageCall call,
            Iterable<?> ids) {
        for (Object id : ids) {
            this.writes.delete(repository, call, id);
        }
        return null;
    }

    // deleteAll() becomes one delete per key of every store the stage writes, so a key that
    // exists in one store only is removed too, and each key keeps the per-key guarantees.
    private Set<Object> allIds(DualRepository<Object, Object, Object> repository, WriteStrategy strategy) {
        Set<Object> ids = new LinkedHashSet<>();
        if (strategy != WriteStrategy.POSTGRES_ONLY) {
            repository.old().findAll().forEach((entity) -> ids.add(requiredId(repository, entity)));
        }
        repository.postgres().findAll().forEach((row) -> ids.add(repository.postgres().idOf(row)));
        return ids;
    }

    // A derived delete runs its finder (deleteByX -> findByX) on the stage's primary store,
    // then deletes each match through the per-key write path.
    private @Nullable Object derivedDelete(DualRepository<Object, Object, Object> repository, StageCall call,
            MethodInvocation invocation) throws Throwable {
        Method method = invocation.getMethod();
        String finderName = "find" + method.getName().substring("delete".length());
        Method finder = ReflectionUtils.findMethod(this.repositoryInterface, finderName, method.getParameterTypes());
        if (finder == null || !(invocation instanceof ProxyMethodInvocation proxyInvocation)) {
            throw new UnroutableMethodException(repository.name(), method,
                    "a derived delete runs as its finder plus one delete per key; declare " + finderName
                            + " with the same parameters on " + this.repositoryInterface.getSimpleName());
        }
        // Through the proxy, so the finder reads the stage's read store, which is its primary
        // (never a ramped or shadow read: the matches must be the primary's).
        List<Object> matches = toList(ReadRouter.onPrimary(() -> {
            try {
                return finder.invoke(proxyInvocation.getProxy(), invocation.getArguments());
            }
            catch (InvocationTargetException ex) {
                throw ex.getTargetException();
            }
        }));
        for (Object entity : matches) {
            this.writes.delete(repository, call, requiredId(repository, entity));
        }
        Class<?> returnType = method.getReturnType();
        if (returnType == void.class || returnType == Void.class) {
            return null;
        }
        if (returnType == long.class || returnType == Long.class) {
            return (long) matches.size();
        }
        if (returnType == int.class || returnType == Integer.class) {
            return matches.size();
        }
        if (returnType.isAssignableFrom(List.class)) {
            return matches;
        }
        throw new UnroutableMethodException(repository.name(), method,
                "a derived delete may return void, a count or a List of the deleted entities");
    }

    private static Object requiredId(DualRepository<Object, Object, Object> repository, Object entity) {
        Object id = repository.old().idOf(entity);
        Assert.notNull(id, () -> "Repository '" + repository.name() + "': cannot delete an entity without id");
        return id;
    }

    private static List<Object> toList(@Nullable Object result) {
        List<Object> list = new ArrayList<>();
        if (result instanceof Optional<?> optional) {
            optional.ifPresent(list::add);
        }
        else if (result instanceof Stream<?> stream) {
            try (stream) {
                stream.forEach(list::add);
            }
        }
        else if (result instanceof Collection<?> collection) {
            list.addAll(collection);
        }
        else if (result instanceof Iterable<?> iterable) {
            iterable.forEach(list::add);
        }
        else if (result != null) {
            list.add(result);
        }
        return list;
    }

}
