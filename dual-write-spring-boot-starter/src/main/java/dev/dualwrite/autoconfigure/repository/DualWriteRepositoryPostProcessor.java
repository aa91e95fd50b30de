package dev.dualwrite.autoconfigure.repository;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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
 * Adds the dual-write decorator to every Redis repository Spring Data builds, the way Spring
 * Boot adds repository metrics: before a Redis repository factory bean initialises, it gets
 * a customizer whose proxy post-processor adds a {@link DualWriteRepositoryInterceptor}.
 * <p>
 * Only Redis repositories (Spring Data Redis {@code @RedisHash} and dual-write's JSON-string
 * repositories) are decorated, never the JDBC repositories they are paired with, which the
 * decorator itself calls. Collaborators are resolved lazily: this post-processor is created
 * before any of them.
 */
public class DualWriteRepositoryPostProcessor implements BeanPostProcessor {

    private final ObjectProvider<DualRepositoryRegistry> registry;

    private final ObjectProvider<StrategySource> strategies;

    private final ObjectProvider<WriteCoordinator> writes;

    private final ObjectProvider<ReadRouter> reads;

    private final Map<Class<?>, RedisRepositoryTarget> targets = new ConcurrentHashMap<>();

    public DualWriteRepositoryPostProcessor(ObjectProvider<DualRepositoryRegistry> registry,
            ObjectProvider<StrategySource> strategies, ObjectProvider<WriteCoordinator> writes,
            ObjectProvider<ReadRouter> reads) {
        this.registry = registry;
        this.strategies = strategies;
        this.writes = writes;
        this.reads = reads;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof RepositoryFactoryBeanSupport<?, ?, ?> factoryBean && isRedisRepository(factoryBean)) {
            factoryBean.addRepositoryFactoryCustomizer(
                    (factory) -> factory.addRepositoryProxyPostProcessor((proxy, information) -> decorate(factory,
                            proxy, information)));
        }
        return bean;
    }

    /**
     * Return the undecorated Redis repositories seen so far, by repository interface.
     * @return the targets
     */
    Map<Class<?>, RedisRepositoryTarget> redisTargets() {
        return Map.copyOf(this.targets);
    }

    @SuppressWarnings("unchecked")
    private void decorate(RepositoryFactorySupport factory, ProxyFactory proxy, RepositoryInformation information) {
        Object target = targetOf(proxy);
        if (!(target instanceof CrudRepository<?, ?>)) {
            return;
        }
        Class<?> repositoryInterface = information.getRepositoryInterface();
        this.targets.put(repositoryInterface,
                new RedisRepositoryTarget(repositoryInterface, (CrudRepository<Object, Object>) target,
                        (EntityInformation<Object, Object>) factory.getEntityInformation(information)));
        // Built on first call: its collaborators (data sources, meters) must not be created
        // while Spring Data is still building repositories. The pairing, once resolved, never
        // changes: it is looked up once, not on every call.
        SingletonSupplier<Optional<DualRepository<Object, Object, Object>>> pair = SingletonSupplier
            .of(() -> pairOf(repositoryInterface));
        SingletonSupplier<MethodInterceptor> interceptor = SingletonSupplier
            .of(() -> new DualWriteRepositoryInterceptor(repositoryInterface, pair, this.strategies.getObject(),
                    this.writes.getObject(), this.reads.getObject()));
        proxy.addAdvice((MethodInterceptor) (invocation) -> interceptor.obtain().invoke(invocation));
    }

    private static @Nullable Object targetOf(ProxyFactory proxy) {
        try {
            return proxy.getTargetSource().getTarget();
        }
        catch (Exception ex) {
            throw new IllegalStateException("Cannot reach the implementation behind a Redis repository proxy", ex);
        }
    }

    private Optional<DualRepository<Object, Object, Object>> pairOf(Class<?> repositoryInterface) {
        return this.registry.getObject().find(repositoryInterface);
    }

    private static boolean isRedisRepository(RepositoryFactoryBeanSupport<?, ?, ?> factoryBean) {
        return factoryBean instanceof RedisRepositoryFactoryBean || factoryBean instanceof RedisJsonRepositoryFactoryBean;
    }

}
