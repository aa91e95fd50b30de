package dev.dualwrite.core.redis.json;

import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.data.mapping.context.MappingContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.repository.Repository;
import org.springframework.data.repository.core.support.RepositoryFactoryBeanSupport;
import org.springframework.data.repository.core.support.RepositoryFactorySupport;
import org.springframework.util.Assert;
import org.springframework.util.function.SingletonSupplier;

/**
 * The Spring {@code FactoryBean} of one Redis JSON repository, registered by
 * {@link EnableRedisJsonRepositories}. Being a {@link RepositoryFactoryBeanSupport}, it takes
 * part in everything Spring Data offers its own modules: repository factory customizers,
 * proxy post-processors, fragments, lazy bootstrap.
 * <p>
 * The {@link RedisConnectionFactory} must be set. The {@link JsonMapper} is the one set, else
 * the application's single {@code JsonMapper} bean (or its primary one), else a default
 * {@code JsonMapper.builder().findAndAddModules().build()}; several candidates without a
 * primary one fail with a message asking for {@code jsonMapperRef}. Every
 * {@link UnreadableValueListener} bean of the bean factory is told of the values that
 * multi-key reads leave out.
 * @param <T> the repository interface
 * @param <S> the entity type
 * @param <ID> the id type
 */
public class RedisJsonRepositoryFactoryBean<T extends Repository<S, ID>, S, ID>
        extends RepositoryFactoryBeanSupport<T, S, ID> {

    private final Class<? extends T> repositoryInterface;

    private @Nullable RedisConnectionFactory redisConnectionFactory;

    private @Nullable JsonMapper jsonMapper;

    private @Nullable RedisJsonMappingContext mappingContext;

    private ConversionService conversionService = DefaultConversionService.getSharedInstance();

    private int batchSize = RedisJsonStore.DEFAULT_BATCH_SIZE;

    private UnreadableValuePolicy unreadableValues = UnreadableValuePolicy.SKIP;

    private @Nullable BeanFactory beanFactory;

    /**
     * Create the factory bean of one repository interface.
     * @param repositoryInterface the repository interface
     */
    public RedisJsonRepositoryFactoryBean(Class<? extends T> repositoryInterface) {
        super(repositoryInterface);
        this.repositoryInterface = repositoryInterface;
    }

    /**
     * Set the connection to Redis (required).
     * @param redisConnectionFactory the connection factory
     */
    public void setRedisConnectionFactory(RedisConnectionFactory redisConnectionFactory) {
        Assert.notNull(redisConnectionFactory, "redisConnectionFactory must not be null");
        this.redisConnectionFactory = redisConnectionFactory;
    }

    /**
     * Set the JSON mapper, instead of looking one up in the bean factory.
     * @param jsonMapper the mapper that reads and writes the values
     */
    public void setJsonMapper(JsonMapper jsonMapper) {
        Assert.notNull(jsonMapper, "jsonMapper must not be null");
        this.jsonMapper = jsonMapper;
    }

    /**
     * Set the shared mapping context; one is created when none is set.
     * @param mappingContext a {@link RedisJsonMappingContext}
     */
    @Override
    public void setMappingContext(MappingContext<?, ?> mappingContext) {
        Assert.isInstanceOf(RedisJsonMappingContext.class, mappingContext, "mappingContext must be a RedisJsonMappingContext");
        super.setMappingContext(mappingContext);
        this.mappingContext = (RedisJsonMappingContext) mappingContext;
    }

    /**
     * Set the conversion service for ids and query arguments (default: Spring's shared
     * {@link DefaultConversionService}).
     * @param conversionService the conversion service
     */
    public void setConversionService(ConversionService conversionService) {
        Assert.notNull(conversionService, "conversionService must not be null");
        this.conversionService = conversionService;
    }

    /**
     * Set how many keys go into one {@code SCAN} hint, {@code MGET}, {@code MSET} or
     * {@code UNLINK} (default {@value RedisJsonStore#DEFAULT_BATCH_SIZE}).
     * @param batchSize a positive number of keys
     */
    public void setBatchSize(int batchSize) {
        Assert.isTrue(batchSize > 0, "batchSize must be positive");
        this.batchSize = batchSize;
    }

    /**
     * Set what multi-key reads do with a value they cannot read, unless the entity's
     * {@link RedisJson#unreadableValues()} says otherwise (default {@code SKIP}).
     * @param unreadableValues the policy; {@code DEFAULT} means {@code SKIP}
     */
    public void setUnreadableValues(UnreadableValuePolicy unreadableValues) {
        Assert.notNull(unreadableValues, "unreadableValues must not be null");
        this.unreadableValues = unreadableValues;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
        super.setBeanFactory(beanFactory);
        this.beanFactory = beanFactory;
    }

    @Override
    public void afterPropertiesSet() {
        Assert.state(this.redisConnectionFactory != null, () -> "No RedisConnectionFactory set for Redis JSON repository "
                + this.repositoryInterface.getName() + "; check redisConnectionFactoryRef");
        RedisKeepTtlSupport.check(this.redisConnectionFactory, this.repositoryInterface.getName());
        if (this.mappingContext == null) {
            RedisJsonMappingContext created = new RedisJsonMappingContext();
            created.initialize();
            setMappingContext(created);
        }
        if (this.jsonMapper == null) {
            this.jsonMapper = lookUpJsonMapper();
        }
        super.afterPropertiesSet();
    }

    private JsonMapper lookUpJsonMapper() {
        if (this.beanFactory != null) {
            try {
                JsonMapper found = this.beanFactory.getBeanProvider(JsonMapper.class).getIfAvailable();
                if (found != null) {
                    return found;
                }
            }
            catch (NoUniqueBeanDefinitionException ex) {
                throw new IllegalStateException("Redis JSON repository " + this.repositoryInterface.getName()
                        + " cannot choose among several JsonMapper beans " + ex.getBeanNamesFound()
                        + "; name one with @EnableRedisJsonRepositories(jsonMapperRef = ...) or make one @Primary", ex);
            }
        }
        // Without an application mapper, Jackson's defaults plus whatever modules are on the classpath.
        return JsonMapper.builder().findAndAddModules().build();
    }

    @Override
    protected RepositoryFactorySupport createRepositoryFactory() {
        Assert.state(this.redisConnectionFactory != null, "redisConnectionFactory must be set");
        Assert.state(this.jsonMapper != null, "jsonMapper must be set");
        Assert.state(this.mappingContext != null, "mappingContext must be set");
        StringRedisTemplate redis = new StringRedisTemplate(this.redisConnectionFactory);
        RedisJsonRepositoryFactory factory = new RedisJsonRepositoryFactory(redis, this.jsonMapper,
                this.mappingContext, this.conversionService, this.batchSize);
        factory.setUnreadableValues(this.unreadableValues);
        if (this.beanFactory != null) {
            factory.setUnreadableValueListener(listenerBeans(this.beanFactory));
        }
        return factory;
    }

    // Looked up on the first value left out, not now: listener beans (meters) may depend on
    // beans that must not be created while Spring Data is still building repositories.
    private static UnreadableValueListener listenerBeans(BeanFactory beanFactory) {
        SingletonSupplier<List<UnreadableValueListener>> listeners = SingletonSupplier
            .of(() -> beanFactory.getBeanProvider(UnreadableValueListener.class).orderedStream().toList());
        return (repository, failure) -> listeners.obtain().forEach((listener) -> listener.skipped(repository, failure));
    }

}
