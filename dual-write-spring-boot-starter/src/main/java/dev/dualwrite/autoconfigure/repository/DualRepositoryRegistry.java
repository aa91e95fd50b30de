package dev.dualwrite.autoconfigure.repository;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import dev.dualwrite.autoconfigure.properties.DualWriteProperties;
import dev.dualwrite.autoconfigure.source.OldStoreSource;
import dev.dualwrite.core.expiry.KeyExpiry;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.pair.EntityMapping;
import dev.dualwrite.core.routing.RepositoryPairing;
import dev.dualwrite.core.store.OldStore;
import dev.dualwrite.core.store.PostgresSide;
import dev.dualwrite.core.store.RedisSide;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.BeanFactoryUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.ResolvableType;
import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.jdbc.core.convert.IdGeneratingEntityCallback;
import org.springframework.data.jdbc.repository.support.JdbcRepositoryFactoryBean;
import org.springframework.data.mapping.callback.EntityCallback;
import org.springframework.data.relational.core.mapping.RelationalMappingContext;
import org.springframework.data.repository.core.RepositoryInformation;
import org.springframework.data.repository.core.support.RepositoryFactoryInformation;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.util.ClassUtils;

/**
 * Pairs each old-store repository (a Redis repository, or a repository a
 * {@link OldStoreSource} lists) with its PostgreSQL repository, once all beans exist, and fails
 * startup with a message saying what to declare when a pairing is ambiguous, inconsistent or
 * names a repository that does not exist.
 * <p>
 * Pairing rules, in order: a {@link RepositoryPairing} bean naming the old repository
 * interface; {@code dual-write.repositories.<name>.redis-repository} and
 * {@code .postgres-repository} bean names; otherwise the single JDBC repository of the
 * same domain type that no {@link OldStoreSource} lists, named after its table. An old-store
 * repository with no such JDBC repository stays unpaired and keeps talking to its old store
 * only.
 */
public class DualRepositoryRegistry implements SmartInitializingSingleton {

    private static final Logger logger = LoggerFactory.getLogger(DualRepositoryRegistry.class);

    private final ListableBeanFactory beans;

    private final DualWriteProperties properties;

    private final DualWriteRepositoryPostProcessor postProcessor;

    private final List<RepositoryPairing<?, ?>> pairings;

    private final JdbcAggregateOperations aggregates;

    private final RelationalMappingContext mappingContext;

    private final JdbcOperations jdbc;

    private final TransactionOperations transactions;

    private final PairListener onPaired;

    private final @Nullable RepositoryExpiries expiries;

    private final @Nullable ApplicationEventPublisher events;

    private volatile @Nullable Map<Class<?>, DualRepository<Object, Object, Object>> byInterface;

    private volatile Map<String, OldStoreSource> sourceByPair = Map.of();

    /**
     * @param beans where repositories are looked up
     * @param properties explicit pairings and strategies
     * @param postProcessor knows the undecorated old-store repositories
     * @param pairings explicit pairing beans
     * @param aggregates PostgreSQL writes
     * @param mappingContext PostgreSQL mapping metadata
     * @param jdbc PostgreSQL locks
     * @param transactions PostgreSQL transactions
     * @param onPaired called once per paired repository (repair log, meters, logging)
     * @param expiries builds each pair's key expiry; {@code null} for none
     * @param events where the lifecycle events of primary saves the library writes itself are
     * published; {@code null} for none
     */
    public DualRepositoryRegistry(ListableBeanFactory beans, DualWriteProperties properties,
            DualWriteRepositoryPostProcessor postProcessor, List<RepositoryPairing<?, ?>> pairings,
            JdbcAggregateOperations aggregates, RelationalMappingContext mappingContext, JdbcOperations jdbc,
            TransactionOperations transactions, PairListener onPaired, @Nullable RepositoryExpiries expiries, @Nullable ApplicationEventPublisher events) {
        this.beans = beans;
        this.properties = properties;
        this.postProcessor = postProcessor;
        this.pairings = List.copyOf(pairings);
        this.aggregates = aggregates;
        this.mappingContext = mappingContext;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.onPaired = onPaired;
        this.expiries = expiries;
        this.events = events;
    }

    @Override
    public void afterSingletonsInstantiated() {
        resolved();
    }

    /**
     * Return the paired repository of an old-store repository interface.
     * @param oldInterface the application's old-store repository interface
     * @return the pair, or empty when the repository is not paired
     */
    public Optional<DualRepository<Object, Object, Object>> find(Class<?> oldInterface) {
        return Optional.ofNullable(resolved().get(oldInterface));
    }

    /**
     * Return the source of a pair whose old store is not Redis (a {@code JdbcSource}, or one of
     * the application's own).
     * @param pairName the pair's name
     * @return the source, or empty for a pair whose old store is Redis (or no such pair)
     */
    public Optional<OldStoreSource> sourceOf(String pairName) {
        resolved();
        return Optional.ofNullable(this.sourceByPair.get(pairName));
    }

    /**
     * Return every paired repository.
     * @return the pairs, in resolution order
     */
    public Collection<DualRepository<Object, Object, Object>> all() {
        return resolved().values();
    }

    private Map<Class<?>, DualRepository<Object, Object, Object>> resolved() {
        Map<Class<?>, DualRepository<Object, Object, Object>> result = this.byInterface;
        if (result == null) {
            synchronized (this) {
                result = this.byInterface;
                if (result == null) {
                    result = resolve();
                    // Published only once every pair is registered (its shared stage applied):
                    // a call on another thread must never be routed by a stage not applied yet.
                    Map<String, OldStoreSource> sources = this.sourceByPair;
                    result.forEach((oldInterface, pair) -> this.onPaired.paired(pair, oldInterface,
                            sources.get(pair.name())));
                    this.byInterface = result;
                }
            }
        }
        return result;
    }

    private Map<Class<?>, DualRepository<Object, Object, Object>> resolve() {
        List<RepositoryBean> old = new ArrayList<>();
        List<RepositoryBean> jdbc = new ArrayList<>();
        for (String factoryName : this.beans.getBeanNamesForType(RepositoryFactoryInformation.class, false, false)) {
            RepositoryFactoryInformation<?, ?> factory = this.beans.getBean(factoryName,
                    RepositoryFactoryInformation.class);
            RepositoryBean bean = new RepositoryBean(BeanFactoryUtils.transformedBeanName(factoryName),
                    factory.getRepositoryInformation());
            // Building the proxy lets the post-processor capture its undecorated target.
            this.beans.getBean(bean.name());
            if (this.postProcessor.oldTargets().containsKey(bean.repositoryInterface())) {
                old.add(bean);
            }
            else if (factory instanceof JdbcRepositoryFactoryBean<?, ?, ?>) {
                jdbc.add(bean);
            }
        }
        checkListedRepositoriesAreOldStores();
        Map<String, DualRepository<Object, Object, Object>> byName = new LinkedHashMap<>();
        Map<Class<?>, DualRepository<Object, Object, Object>> byInterface = new LinkedHashMap<>();
        Map<String, OldStoreSource> sources = new LinkedHashMap<>();
        for (RepositoryBean oldBean : old) {
            Pairing pairing = pairingFor(oldBean, old, jdbc);
            OldRepositoryTarget target = this.postProcessor.oldTargets().get(oldBean.repositoryInterface());
            if (pairing == null) {
                logger.info("dual-write: {} has no PostgreSQL repository of its domain type {}; it stays on {} only",
                        oldBean.repositoryInterface().getName(), oldBean.domainType().getName(),
                        (target.source() != null) ? target.source() : "Redis");
                continue;
            }
            DualRepository<Object, Object, Object> pair = build(pairing, oldBean, target);
            if (target.source() != null) {
                sources.put(pair.name(), target.source());
            }
            DualRepository<?, ?, ?> clash = byName.putIfAbsent(pair.name(), pair);
            if (clash != null) {
                throw new IllegalStateException("dual-write: two repository pairs are named '" + pair.name()
                        + "'; name them apart with RepositoryPairing beans or dual-write.repositories.<name>");
            }
            byInterface.put(oldBean.repositoryInterface(), pair);
        }
        checkConfiguredNames(byName);
        this.sourceByPair = Map.copyOf(sources);
        // Not Map.copyOf, whose order changes from one run to the next: all() keeps this one.
        return Collections.unmodifiableMap(byInterface);
    }

    private @Nullable Pairing pairingFor(RepositoryBean oldBean, List<RepositoryBean> old,
            List<RepositoryBean> jdbc) {
        for (RepositoryPairing<?, ?> pairing : this.pairings) {
            if (pairing.redisRepository() == oldBean.repositoryInterface()) {
                RepositoryBean postgres = only(jdbc, (bean) -> bean.repositoryInterface() == pairing.postgresRepository(),
                        "Spring Data JDBC repository " + pairing.postgresRepository().getName(), pairing.name());
                return new Pairing(pairing.name(), postgres, pairing.mapping());
            }
        }
        for (Map.Entry<String, DualWriteProperties.Repository> entry : this.properties.getRepositories().entrySet()) {
            DualWriteProperties.Repository configured = entry.getValue();
            if (oldBean.name().equals(configured.getRedisRepository())) {
                if (configured.getPostgresRepository() == null) {
                    throw new IllegalStateException("dual-write.repositories." + entry.getKey()
                            + ".redis-repository is set but .postgres-repository is not; name the JDBC repository bean");
                }
                RepositoryBean postgres = only(jdbc, (bean) -> bean.name().equals(configured.getPostgresRepository()),
                        "JDBC repository bean '" + configured.getPostgresRepository() + "'", entry.getKey());
                return new Pairing(entry.getKey(), postgres, null);
            }
        }
        List<RepositoryBean> sameType = jdbc.stream().filter((bean) -> bean.domainType() == oldBean.domainType()).toList();
        if (sameType.isEmpty()) {
            return null;
        }
        long oldOfType = old.stream().filter((bean) -> bean.domainType() == oldBean.domainType()).count();
        if (sameType.size() > 1 || oldOfType > 1) {
            String oldKind = (this.postProcessor.oldTargets().get(oldBean.repositoryInterface()).source() != null)
                    ? "old-store" : "Redis";
            throw new IllegalStateException("dual-write: cannot pair " + oldBean.repositoryInterface().getName()
                    + " automatically: " + oldOfType + " " + oldKind + " and " + sameType.size()
                    + " JDBC repositories manage " + oldBean.domainType().getName()
                    + "; declare a RepositoryPairing bean or set dual-write.repositories.<name>.redis-repository and "
                    + ".postgres-repository");
        }
        RepositoryBean postgres = sameType.get(0);
        String table = this.mappingContext.getRequiredPersistentEntity(postgres.domainType()).getTableName().getReference();
        return new Pairing(table, postgres, null);
    }

    @SuppressWarnings("unchecked")
    private DualRepository<Object, Object, Object> build(Pairing pairing, RepositoryBean oldBean,
            OldRepositoryTarget target) {
        RepositoryBean postgres = pairing.postgres();
        Class<?> oldId = ClassUtils.resolvePrimitiveIfNecessary(oldBean.information().getIdType());
        Class<?> postgresId = ClassUtils.resolvePrimitiveIfNecessary(postgres.information().getIdType());
        if (oldId != postgresId) {
            throw new IllegalStateException("dual-write: repository '" + pairing.name() + "' pairs "
                    + oldBean.repositoryInterface().getSimpleName() + " (id " + oldId.getSimpleName() + ") with "
                    + postgres.repositoryInterface().getSimpleName() + " (id " + postgresId.getSimpleName()
                    + "); both sides must use the same id type");
        }
        EntityMapping<Object, Object> mapping = (EntityMapping<Object, Object>) pairing.mapping();
        if (mapping == null) {
            if (oldBean.domainType() != postgres.domainType()) {
                throw new IllegalStateException("dual-write: repository '" + pairing.name() + "' pairs "
                        + oldBean.domainType().getSimpleName() + " with " + postgres.domainType().getSimpleName()
                        + "; declare a RepositoryPairing bean with .mappedBy(toPostgres, toRedis)");
            }
            mapping = EntityMapping.identity();
        }
        PostgresSide<Object, Object> postgresSide = new PostgresSide<>(pairing.name(),
                (Class<Object>) postgres.domainType(), this.aggregates, this.mappingContext, this.jdbc,
                this.transactions, entityCallbacksFor(postgres.domainType()), this.events);
        OldStoreSource source = target.source();
        // Key expiry is Redis's: another old store has none to carry.
        KeyExpiry<Object, Object, Object> expiry = (this.expiries != null && source == null)
                ? this.expiries.expiryOf(pairing.name(), target.target(), (Class<Object>) oldBean.domainType(),
                        (Class<Object>) postgres.domainType())
                : KeyExpiry.none();
        OldStore<Object, Object> oldStore = (source != null)
                ? source.oldStore(target.target(), target.entityInformation())
                : new RedisSide<>(target.target(), target.entityInformation());
        return new DualRepository<>(pairing.name(), oldStore, postgresSide, this.beans.getBean(postgres.name()),
                postgres.repositoryInterface(), mapping, expiry);
    }

    // Spring Data JDBC runs the application's entity callbacks (auditing among them) on its own
    // writes only: a row type one of them may apply to is written through it. Its own id
    // callback acts only on rows without id, which it writes anyway; a callback whose entity
    // type cannot be read (a lambda) may apply to any.
    private boolean entityCallbacksFor(Class<?> rowType) {
        for (EntityCallback<?> callback : this.beans.getBeansOfType(EntityCallback.class, true, false).values()) {
            if (callback instanceof IdGeneratingEntityCallback) {
                continue;
            }
            Class<?> appliesTo = ResolvableType.forClass(callback.getClass()).as(EntityCallback.class).resolveGeneric(0);
            if (appliesTo == null || appliesTo.isAssignableFrom(rowType)) {
                return true;
            }
        }
        return false;
    }

    // A repository a source lists but that was not decorated as its old store (not a Spring
    // CrudRepository, or no bean of this application) would silently stay unmigrated.
    private void checkListedRepositoriesAreOldStores() {
        Map<Class<?>, OldRepositoryTarget> targets = this.postProcessor.oldTargets();
        for (OldStoreSource source : this.postProcessor.sources()) {
            for (Class<?> listed : source.repositories()) {
                OldRepositoryTarget target = targets.get(listed);
                if (target == null || target.source() != source) {
                    throw new IllegalStateException("dual-write: " + source + " lists " + listed.getName()
                            + ", which is not a CrudRepository bean of this application; list the old store's "
                            + "repository interfaces only");
                }
            }
        }
    }

    private void checkConfiguredNames(Map<String, DualRepository<Object, Object, Object>> byName) {
        for (String configured : this.properties.getRepositories().keySet()) {
            if (!byName.containsKey(configured)) {
                throw new IllegalStateException("dual-write.repositories." + configured
                        + " names no paired repository; paired repositories: " + byName.keySet());
            }
        }
    }

    private static RepositoryBean only(List<RepositoryBean> candidates, Predicate<RepositoryBean> test,
            String what, String pairName) {
        return candidates.stream()
            .filter(test)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException(
                    "dual-write: repository '" + pairName + "' names " + what + ", which is not a bean of this application"));
    }

    private record RepositoryBean(String name, RepositoryInformation information) {

        Class<?> repositoryInterface() {
            return this.information.getRepositoryInterface();
        }

        Class<?> domainType() {
            return this.information.getDomainType();
        }

    }

    private record Pairing(String name, RepositoryBean postgres, @Nullable EntityMapping<?, ?> mapping) {
    }

    /**
     * Hears of each pair once, when all are resolved and before any call is routed.
     */
    @FunctionalInterface
    public interface PairListener {

        /**
         * Called once per paired repository.
         * @param pair the pair
         * @param oldInterface the application's old-store repository interface
         * @param source the source of its old store; {@code null} when it is Redis
         */
        void paired(DualRepository<?, ?, ?> pair, Class<?> oldInterface, @Nullable OldStoreSource source);

    }

}
