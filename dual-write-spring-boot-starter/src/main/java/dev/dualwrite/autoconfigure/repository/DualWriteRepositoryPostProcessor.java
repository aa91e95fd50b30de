package dev.dualwrite.autoconfigure.repository;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.dualwrite.autoconfigure.source.OldStoreSource;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.redis.json.RedisJsonRepositoryFactoryBean;
import dev.dualwrite.core.routing.DualWriteRepositoryInterceptor;
import dev.dualwrite.core.routing.ReadRouter;
import dev.dualwrite.core.routing.WriteCoordinator;
import dev.dualwrite.core.strategy.StrategySource;

import org.aopalliance.intercept.MethodInterceptor;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.data.redis.repository.support.RedisRepositoryFactoryBean;
import org.springframework.data.repository.CrudRepository;
import org.springframework.data.repository.core.EntityInformation;
import org.springframework.data.repository.core.RepositoryInformation;
import org.springframework.data.repository.core.support.RepositoryFactoryBeanSupport;
import org.springframework.data.repository.core.support.RepositoryFactorySupport;
import org.springframework.util.function.SingletonSupplier;

/**
 * Adds the dual-write decorator to every old-store repository Spring Data builds, the way
 * Spring Boot adds repository metrics: before a repository factory bean initialises, it gets
 * a customizer whose proxy post-processor adds a {@link DualWriteRepositoryInterceptor}.
 * <p>
 * Old-store repositories are the Redis repositories (Spring Data Redis {@code @RedisHash} and
 * dual-write's JSON-string repositories) and the repositories an {@link OldStoreSource} bean
 * lists (a {@code JdbcSource}'s Spring Data JDBC repositories, or those of a store of the
 * application's own); never the JDBC repositories of the new store, which the decorator itself
 * calls. Collaborators are resolved lazily: this post-processor is created before any of them.
 * The {@link OldStoreSource} beans are created when the first repository other than a Redis
 * one is built.
 */
public class DualWriteRepositoryPostProcessor implements BeanPostProcessor {

    private final ObjectProvider<DualRepositoryRegistry> registry;

    private final ObjectProvider<StrategySource> strategies;

    private final ObjectProvider<WriteCoordinator> writes;

    private final ObjectProvider<ReadRouter> reads;

    private final ObjectProvider<OldStoreSource> sources;

    private final Map<Class<?>, OldRepositoryTarget> targets = new ConcurrentHashMap<>();

    public DualWriteRepositoryPostProcessor(ObjectProvider<DualRepositoryRegistry> registry,
            ObjectProvider<StrategySource> strategies, ObjectProvider<WriteCoordinator> writes,
            ObjectProvider<ReadRouter> reads, ObjectProvider<OldStoreSource> sources) {
        this.registry = registry;
        this.strategies = strategies;
        this.writes = writes;
        this.reads = reads;
        this.sources = sources;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof RepositoryFactoryBeanSupport<?, ?, ?> factoryBean) {
            if (isRedisRepository(factoryBean)) {
                factoryBean.addRepositoryFactoryCustomizer((factory) -> factory.addRepositoryProxyPostProcessor(
                        (proxy, information) -> decorate(factory, proxy, information, null)));
            }
            else {
                factoryBean.addRepositoryFactoryCustomizer((factory) -> factory.addRepositoryProxyPostProcessor(
                        (proxy, information) -> sourceListing(information.getRepositoryInterface())
                            .ifPresent((source) -> decorate(factory, proxy, information, source))));
            }
        }
        return bean;
    }

    /**
     * Return the undecorated old-store repositories seen so far, by repository interface.
     * @return a live, unmodifiable view of the targets
     */
    Map<Class<?>, OldRepositoryTarget> oldTargets() {
        return Collections.unmodifiableMap(this.targets);
    }

    /**
     * Return the old-store sources of the application.
     * @return the sources
     */
    List<OldStoreSource> sources() {
        return this.sources.orderedStream().toList();
    }

    private Optional<OldStoreSource> sourceListing(Class<?> repositoryInterface) {
        List<OldStoreSource> listing = this.sources.orderedStream().filter((source) -> source.lists(repositoryInterface)).toList();
        if (listing.size() > 1) {
            throw new IllegalStateException("dual-write: " + repositoryInterface.getName() + " is listed by "
                    + listing + "; a repository has one old store, list it in one source");
        }
        return listing.stream().findFirst();
    }

    @SuppressWarnings("unchecked")
    private void decorate(RepositoryFactorySupport factory, ProxyFactory proxy, RepositoryInformation information,
            @Nullable OldStoreSource source) {
        Object target = targetOf(proxy);
        if (!(target instanceof CrudRepository<?, ?>)) {
            return;
        }
        Class<?> repositoryInterface = information.getRepositoryInterface();
        this.targets.put(repositoryInterface,
                new OldRepositoryTarget(repositoryInterface, (CrudRepository<Object, Object>) target,
                        (EntityInformation<Object, Object>) factory.getEntityInformation(information), source));
        // Built on first call: its collaborators (data sources, meters) must not be created
        // while Spring Data is still building repositories. The pairing, once resolved, never
        // changes: it is looked up once, not on every call.
        SingletonSupplier<Optional<DualRepository<Object, Object, Object>>> pair = SingletonSupplier
            .of(() -> pairOf(repositoryInterface));
        SingletonSupplier<MethodInterceptor> interceptor = SingletonSupplier
            .of(() -> new DualWriteRepositoryInterceptor(repositoryInterface, pair, this.strategies.getObject(),
                    this.writes.getObject(), this.reads.getObject()));
        MethodInterceptor advice = (invocation) -> interceptor.obtain().invoke(invocation);
        if (source != null) {
            // First, outside Spring Data's own advice: a repository of another store (a JDBC
            // one) runs each call in a transaction of its store, which would need the old store
            // even where PostgreSQL is primary. The old store's own writes run in the source's
            // transactions instead (JdbcOldStore), and a call that reaches the repository (every
            // call at REDIS_PRIMARY, reads of the old store) still goes through all its advice.
            proxy.addAdvice(0, advice);
        }
        else {
            proxy.addAdvice(advice);
        }
    }

    private static @Nullable Object targetOf(ProxyFactory proxy) {
        try {
            return proxy.getTargetSource().getTarget();
        }
        catch (Exception ex) {
            throw new IllegalStateException("Cannot reach the implementation behind a repository proxy", ex);
        }
    }

    private Optional<DualRepository<Object, Object, Object>> pairOf(Class<?> repositoryInterface) {
        return this.registry.getObject().find(repositoryInterface);
    }

    private static boolean isRedisRepository(RepositoryFactoryBeanSupport<?, ?, ?> factoryBean) {
        return factoryBean instanceof RedisRepositoryFactoryBean || factoryBean instanceof RedisJsonRepositoryFactoryBean;
    }

}
