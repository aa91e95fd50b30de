package dev.dualwrite.core.redis.json;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.repository.core.RepositoryCreationException;
import org.springframework.data.repository.core.RepositoryInformation;
import org.springframework.data.repository.core.RepositoryMetadata;
import org.springframework.data.repository.core.support.RepositoryFactorySupport;
import org.springframework.data.repository.query.QueryLookupStrategy;
import org.springframework.data.repository.query.QueryLookupStrategy.Key;
import org.springframework.data.repository.query.ValueExpressionDelegate;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * Creates Redis JSON repositories: a {@link SimpleRedisJsonRepository} (or the configured base
 * class) behind the application's repository interface, with derived query methods.
 * <p>
 * The entity type is checked when the repository is created: it must carry {@link RedisJson}
 * with a non-empty key prefix ({@code ${...}} placeholders are resolved against the
 * {@link org.springframework.core.env.Environment}), an {@code @Id} property of the
 * repository's id type, and an id type that the {@link ConversionService} converts to and
 * from {@code String}; otherwise creation fails with a message naming the repository.
 * <p>
 * Multi-key reads leave out values they cannot read ({@link UnreadableValuePolicy#SKIP})
 * unless the entity's {@link RedisJson#unreadableValues()} or
 * {@link #setUnreadableValues(UnreadableValuePolicy)} says {@code FAIL}.
 */
public class RedisJsonRepositoryFactory extends RepositoryFactorySupport {

    private final StringRedisTemplate redis;

    private final JsonMapper jsonMapper;

    private final RedisJsonMappingContext mappingContext;

    private final ConversionService conversionService;

    private final int batchSize;

    private UnreadableValuePolicy unreadableValues = UnreadableValuePolicy.SKIP;

    private UnreadableValueListener unreadableValueListener = (repository, failure) -> {
    };

    // Built once per entity type, so that a repository and its queries share the same objects.
    private final Map<Class<?>, RedisJsonEntitySupport<?, ?>> entities = new ConcurrentHashMap<>();

    /**
     * Create a factory with Spring's default conversion service and batches of
     * {@value RedisJsonStore#DEFAULT_BATCH_SIZE} keys.
     * @param redis the Redis connection
     * @param jsonMapper the application's JSON mapper
     * @param mappingContext the mapping metadata
     */
    public RedisJsonRepositoryFactory(StringRedisTemplate redis, JsonMapper jsonMapper,
            RedisJsonMappingContext mappingContext) {
        this(redis, jsonMapper, mappingContext, DefaultConversionService.getSharedInstance(),
                RedisJsonStore.DEFAULT_BATCH_SIZE);
    }

    /**
     * Create a factory.
     * @param redis the Redis connection
     * @param jsonMapper the application's JSON mapper
     * @param mappingContext the mapping metadata
     * @param conversionService converts ids to key suffixes and back, and query arguments
     * @param batchSize keys per {@code SCAN} hint, {@code MGET}, {@code MSET} and {@code UNLINK}
     */
    public RedisJsonRepositoryFactory(StringRedisTemplate redis, JsonMapper jsonMapper,
            RedisJsonMappingContext mappingContext, ConversionService conversionService, int batchSize) {
        Assert.notNull(redis, "redis must not be null");
        Assert.notNull(jsonMapper, "jsonMapper must not be null");
        Assert.notNull(mappingContext, "mappingContext must not be null");
        Assert.notNull(conversionService, "conversionService must not be null");
        Assert.isTrue(batchSize > 0, "batchSize must be positive");
        this.redis = redis;
        this.jsonMapper = jsonMapper;
        this.mappingContext = mappingContext;
        this.conversionService = conversionService;
        this.batchSize = batchSize;
    }

    /**
     * Set what multi-key reads do with a value they cannot read, for entities whose
     * {@link RedisJson#unreadableValues()} is {@code DEFAULT} (default {@code SKIP}). Takes
     * effect for repositories created afterwards.
     * @param unreadableValues the policy; {@code DEFAULT} means {@code SKIP}
     */
    public void setUnreadableValues(UnreadableValuePolicy unreadableValues) {
        Assert.notNull(unreadableValues, "unreadableValues must not be null");
        this.unreadableValues = (unreadableValues != UnreadableValuePolicy.DEFAULT) ? unreadableValues
                : UnreadableValuePolicy.SKIP;
    }

    /**
     * Set who is told of each value a multi-key read leaves out (by default nobody; the value
     * is logged once per key either way). Takes effect for repositories created afterwards.
     * @param unreadableValueListener the listener
     */
    public void setUnreadableValueListener(UnreadableValueListener unreadableValueListener) {
        Assert.notNull(unreadableValueListener, "unreadableValueListener must not be null");
        this.unreadableValueListener = unreadableValueListener;
    }

    @Override
    public RedisJsonEntityInformation<?, ?> getEntityInformation(RepositoryMetadata metadata) {
        Assert.notNull(metadata, "metadata must not be null");
        return support(metadata).information();
    }

    @Override
    protected Object getTargetRepository(RepositoryInformation information) {
        RedisJsonEntitySupport<?, ?> support = support(information);
        return getTargetRepositoryViaReflection(information, support.store(), support.sorting());
    }

    @Override
    protected Class<?> getRepositoryBaseClass(RepositoryMetadata metadata) {
        return SimpleRedisJsonRepository.class;
    }

    @Override
    protected Optional<QueryLookupStrategy> getQueryLookupStrategy(@Nullable Key key,
            ValueExpressionDelegate valueExpressionDelegate) {
        return Optional.of(new RedisJsonQueryLookupStrategy(this::support,
                (key != null) ? key : Key.CREATE_IF_NOT_FOUND));
    }

    private RedisJsonEntitySupport<?, ?> support(RepositoryMetadata metadata) {
        return this.entities.computeIfAbsent(metadata.getDomainType(), (type) -> create(metadata));
    }

    private RedisJsonEntitySupport<?, ?> create(RepositoryMetadata metadata) {
        RedisJsonPersistentEntity<?> entity = this.mappingContext.getRequiredPersistentEntity(metadata.getDomainType());
        String keyPrefix = keyPrefix(metadata, entity);
        checkId(metadata, entity);
        UnreadableValuePolicy declared = entity.getUnreadableValues();
        UnreadableValues unreadableValues = new UnreadableValues(metadata.getRepositoryInterface(),
                (declared != UnreadableValuePolicy.DEFAULT) ? declared : this.unreadableValues,
                this.unreadableValueListener);
        return create(entity, keyPrefix, unreadableValues);
    }

    private <T, ID> RedisJsonEntitySupport<T, ID> create(RedisJsonPersistentEntity<T> entity, String keyPrefix,
            UnreadableValues unreadableValues) {
        RedisJsonEntityInformation<T, ID> information = new RedisJsonEntityInformation<>(entity, keyPrefix,
                this.conversionService);
        RedisJsonCodec<T, ID> codec = new RedisJsonCodec<>(this.jsonMapper, information, entity);
        RedisJsonStore<T, ID> store = new RedisJsonStore<>(this.redis, information, codec, this.batchSize,
                unreadableValues);
        EntityProperties<T> properties = new EntityProperties<>(this.mappingContext, entity);
        return new RedisJsonEntitySupport<>(information, store, new RedisJsonSorting<>(properties),
                new QueryPredicates<>(properties, this.conversionService));
    }

    private String keyPrefix(RepositoryMetadata metadata, RedisJsonPersistentEntity<?> entity) {
        String declared = entity.getKeyPrefix();
        if (declared == null) {
            throw failure(metadata, "it is not annotated with @" + RedisJson.class.getName()
                    + "(keyPrefix = ...), so the Redis keys of its entities are unknown");
        }
        String resolved = getEnvironment().resolveRequiredPlaceholders(declared);
        if (!StringUtils.hasLength(resolved)) {
            throw failure(metadata, "its @RedisJson keyPrefix is empty; an empty prefix would make every key of the "
                    + "database look like one of its entities");
        }
        return resolved;
    }

    private void checkId(RepositoryMetadata metadata, RedisJsonPersistentEntity<?> entity) {
        RedisJsonPersistentProperty id = entity.getIdProperty();
        if (id == null) {
            throw failure(metadata, "it has no property annotated with @" + Id.class.getName()
                    + " (on a field or record component)");
        }
        Class<?> idType = ClassUtils.resolvePrimitiveIfNecessary(id.getType());
        Class<?> declared = ClassUtils.resolvePrimitiveIfNecessary(metadata.getIdType());
        if (!declared.isAssignableFrom(idType)) {
            throw failure(metadata, "its @Id property '" + id.getName() + "' is a " + idType.getName()
                    + ", but the repository declares the id type " + declared.getName());
        }
        if (!this.conversionService.canConvert(idType, String.class)
                || !this.conversionService.canConvert(String.class, idType)) {
            throw failure(metadata, "its id type " + idType.getName() + " cannot be converted to a String (the "
                    + "Redis key suffix) and back by the ConversionService");
        }
    }

    private static RepositoryCreationException failure(RepositoryMetadata metadata, String problem) {
        Class<?> repository = metadata.getRepositoryInterface();
        return new RepositoryCreationException("Cannot create Redis JSON repository " + repository.getName()
                + " for " + metadata.getDomainType().getName() + ": " + problem, repository);
    }

}
