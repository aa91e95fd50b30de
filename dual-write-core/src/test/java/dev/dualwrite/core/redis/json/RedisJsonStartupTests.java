package dev.dualwrite.core.redis.json;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.dualwrite.core.redis.json.JsonToken.Holder;
import dev.dualwrite.core.redis.json.strict.PlainEntityRepository;
import dev.dualwrite.core.redis.json.strict.StrictTokens;
import dev.dualwrite.testsupport.TestKeyPrefix;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.FilterType;
import org.springframework.data.annotation.Id;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.repository.CrudRepository;
import org.springframework.data.repository.core.support.RepositoryFactoryBeanSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * What fails when the application context starts, with a message that names the repository,
 * the method or entity, and the problem; and which repositories the module claims and which
 * {@code JsonMapper} it picks.
 */
class RedisJsonStartupTests {

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(RedisJsonStartupTests.class);

    @AfterEach
    void deleteKeys() {
        keys.deleteKeys();
    }

    interface NearRepository extends CrudRepository<JsonToken, String> {

        List<JsonToken> findByNameNear(String name);

    }

    interface LikeOnNumberRepository extends CrudRepository<JsonToken, String> {

        List<JsonToken> findByAmountLike(String pattern);

    }

    interface IgnoreCaseOnNumberRepository extends CrudRepository<JsonToken, String> {

        List<JsonToken> findByAmountIgnoreCase(long amount);

    }

    interface PageRepository extends CrudRepository<JsonToken, String> {

        Page<JsonToken> findByActiveTrue(Pageable pageable);

    }

    interface SetRepository extends CrudRepository<JsonToken, String> {

        Set<JsonToken> findByActiveTrue();

    }

    interface UnknownPropertyRepository extends CrudRepository<JsonToken, String> {

        List<JsonToken> findByColour(String colour);

    }

    interface ThroughCollectionRepository extends CrudRepository<JsonToken, String> {

        List<JsonToken> findByTags(String tag);

    }

    @RedisJson(keyPrefix = "${" + RedisJsonTestContext.PREFIX_PROPERTY + "}noid:")
    record NoIdEntity(String name) {
    }

    interface NoIdRepository extends CrudRepository<NoIdEntity, String> {

    }

    @RedisJson(keyPrefix = "${redis-json-test.empty:}")
    record EmptyPrefixEntity(@Id String id) {
    }

    interface EmptyPrefixRepository extends CrudRepository<EmptyPrefixEntity, String> {

    }

    interface TokenRepository extends CrudRepository<JsonToken, String> {

    }

    interface HookedRepository extends CrudRepository<JsonToken, String> {

        List<JsonToken> findByName(String name);

    }

    private static Throwable startupFailure(Class<?> repository) {
        return catchThrowable(() -> RedisJsonTestContext.start(keys, configFor(repository)).close());
    }

    private static Class<?> configFor(Class<?> repository) {
        return switch (repository.getSimpleName()) {
            case "NearRepository" -> NearConfig.class;
            case "LikeOnNumberRepository" -> LikeOnNumberConfig.class;
            case "IgnoreCaseOnNumberRepository" -> IgnoreCaseConfig.class;
            case "PageRepository" -> PageConfig.class;
            case "SetRepository" -> SetConfig.class;
            case "UnknownPropertyRepository" -> UnknownPropertyConfig.class;
            case "ThroughCollectionRepository" -> ThroughCollectionConfig.class;
            case "NoIdRepository" -> NoIdConfig.class;
            case "EmptyPrefixRepository" -> EmptyPrefixConfig.class;
            default -> throw new IllegalArgumentException(repository.getName());
        };
    }

    @Test
    void anUnsupportedKeywordFailsAtStartupNamingRepositoryMethodAndKeyword() {
        Throwable failure = startupFailure(NearRepository.class);

        assertThat(failure).isNotNull();
        assertThat(RedisJsonTestContext.messages(failure)).contains(NearRepository.class.getName())
            .contains("findByNameNear(String)")
            .contains("keyword NEAR")
            .contains("is not supported");
    }

    @Test
    void aKeywordOnAPropertyOfTheWrongTypeFailsAtStartup() {
        assertThat(RedisJsonTestContext.messages(startupFailure(LikeOnNumberRepository.class)))
            .contains(LikeOnNumberRepository.class.getName())
            .contains("findByAmountLike(String)")
            .contains("needs a String property, but 'amount' is a long");
        assertThat(RedisJsonTestContext.messages(startupFailure(IgnoreCaseOnNumberRepository.class)))
            .contains("IgnoreCase needs a String property");
        assertThat(RedisJsonTestContext.messages(startupFailure(ThroughCollectionRepository.class)))
            .contains("'tags' is a collection");
    }

    @Test
    void unsupportedParametersAndReturnTypesFailAtStartup() {
        assertThat(RedisJsonTestContext.messages(startupFailure(PageRepository.class))).contains(PageRepository.class.getName())
            .contains("Pageable parameters are not supported");
        assertThat(RedisJsonTestContext.messages(startupFailure(SetRepository.class))).contains(SetRepository.class.getName())
            .contains("return type java.util.Set<")
            .contains("is not supported");
    }

    @Test
    void anUnknownPropertyFailsAtStartup() {
        assertThat(RedisJsonTestContext.messages(startupFailure(UnknownPropertyRepository.class))).contains("colour");
    }

    @Test
    void anEntityWithoutIdFailsAtStartup() {
        assertThat(RedisJsonTestContext.messages(startupFailure(NoIdRepository.class)))
            .contains("Cannot create Redis JSON repository " + NoIdRepository.class.getName())
            .contains("no property annotated with @org.springframework.data.annotation.Id");
    }

    @Test
    void anEmptyKeyPrefixFailsAtStartup() {
        assertThat(RedisJsonTestContext.messages(startupFailure(EmptyPrefixRepository.class)))
            .contains(EmptyPrefixRepository.class.getName())
            .contains("keyPrefix is empty");
    }

    @Test
    void repositoriesOfEntitiesWithoutRedisJsonAreLeftToOtherModules() {
        // Redis, JDBC and this module are all on the classpath, so configuration is strict
        // (as long as no include filters are given: explicit filters switch strictness off).
        try (AnnotationConfigApplicationContext context = RedisJsonTestContext.start(keys, ClaimConfig.class)) {
            assertThat(context.getBeanNamesForType(StrictTokens.class)).hasSize(1);
            assertThat(context.getBeanNamesForType(PlainEntityRepository.class)).isEmpty();
        }
    }

    @Test
    void severalJsonMappersWithoutAReferenceFailAtStartup() {
        Throwable failure = catchThrowable(() -> RedisJsonTestContext.start(keys, TwoMappersConfig.class).close());

        assertThat(RedisJsonTestContext.messages(failure)).contains(TokenRepository.class.getName())
            .contains("several JsonMapper beans")
            .contains("jsonMapperRef");
    }

    @Test
    void jsonMapperRefChoosesTheMapper() {
        try (AnnotationConfigApplicationContext context = RedisJsonTestContext.start(keys, ChosenMapperConfig.class)) {
            context.getBean(TokenRepository.class)
                .save(new JsonToken("t1", "n", new Holder("0x1", 1L), List.of(), Instant.EPOCH, 1, true, null));

            assertThat(RedisJsonTestContext.redis(context).opsForValue().get(keys.key("token:t1")))
                .contains("\"issued_at\"");
        }
    }

    @Test
    void theDefaultMapperIsUsedWhenTheApplicationHasNone() {
        try (AnnotationConfigApplicationContext context = RedisJsonTestContext.start(keys, DefaultMapperConfig.class)) {
            JsonToken token = new JsonToken("t1", "n", new Holder("0x1", 1L), List.of(), Instant.EPOCH, 1, true, null);
            context.getBean(TokenRepository.class).save(token);

            assertThat(RedisJsonTestContext.redis(context).opsForValue().get(keys.key("token:t1")))
                .isEqualTo(JsonMapper.builder().findAndAddModules().build().writeValueAsString(token));
        }
    }

    @Test
    void proxyPostProcessorsAddedThroughTheFactoryBeanSeeEveryCall() {
        // The same hook the dual-write decorator uses (as Boot's repository metrics do).
        HookConfig.calls.clear();
        try (AnnotationConfigApplicationContext context = RedisJsonTestContext.start(keys, HookConfig.class)) {
            HookedRepository repository = context.getBean(HookedRepository.class);

            repository.save(new JsonToken("t1", "n", null, List.of(), Instant.EPOCH, 1, true, null));
            repository.findByName("n");
            repository.findById("t1");

            assertThat(HookConfig.calls).containsExactly("save", "findByName", "findById");
        }
    }

    @EnableRedisJsonRepositories(considerNestedRepositories = true,
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = NearRepository.class))
    static class NearConfig {

    }

    @EnableRedisJsonRepositories(considerNestedRepositories = true,
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = LikeOnNumberRepository.class))
    static class LikeOnNumberConfig {

    }

    @EnableRedisJsonRepositories(considerNestedRepositories = true,
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = IgnoreCaseOnNumberRepository.class))
    static class IgnoreCaseConfig {

    }

    @EnableRedisJsonRepositories(considerNestedRepositories = true,
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = PageRepository.class))
    static class PageConfig {

    }

    @EnableRedisJsonRepositories(considerNestedRepositories = true,
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = SetRepository.class))
    static class SetConfig {

    }

    @EnableRedisJsonRepositories(considerNestedRepositories = true,
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = UnknownPropertyRepository.class))
    static class UnknownPropertyConfig {

    }

    @EnableRedisJsonRepositories(considerNestedRepositories = true,
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = ThroughCollectionRepository.class))
    static class ThroughCollectionConfig {

    }

    @EnableRedisJsonRepositories(considerNestedRepositories = true,
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = NoIdRepository.class))
    static class NoIdConfig {

    }

    @EnableRedisJsonRepositories(considerNestedRepositories = true,
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = EmptyPrefixRepository.class))
    static class EmptyPrefixConfig {

    }

    @EnableRedisJsonRepositories(basePackageClasses = StrictTokens.class)
    static class ClaimConfig {

    }

    @EnableRedisJsonRepositories(considerNestedRepositories = true,
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = TokenRepository.class))
    static class DefaultMapperConfig {

    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisJsonRepositories(considerNestedRepositories = true,
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = HookedRepository.class))
    static class HookConfig {

        static final List<String> calls = new CopyOnWriteArrayList<>();

        @Bean
        static BeanPostProcessor recordingRepositoryHook() {
            return new BeanPostProcessor() {

                @Override
                public Object postProcessBeforeInitialization(Object bean, String beanName) {
                    if (bean instanceof RepositoryFactoryBeanSupport<?, ?, ?> factoryBean) {
                        factoryBean.addRepositoryFactoryCustomizer((factory) -> factory
                            .addRepositoryProxyPostProcessor((proxy, information) -> proxy.addAdvice(
                                    (MethodInterceptor) (invocation) -> {
                                        calls.add(invocation.getMethod().getName());
                                        return invocation.proceed();
                                    })));
                    }
                    return bean;
                }

            };
        }

    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisJsonRepositories(considerNestedRepositories = true,
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = TokenRepository.class))
    static class TwoMappersConfig {

        @Bean
        JsonMapper firstMapper() {
            return JsonMapper.builder().build();
        }

        @Bean
        JsonMapper secondMapper() {
            return JsonMapper.builder().build();
        }

    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisJsonRepositories(considerNestedRepositories = true, jsonMapperRef = "snakeCase",
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = TokenRepository.class))
    static class ChosenMapperConfig {

        @Bean
        JsonMapper plain() {
            return JsonMapper.builder().build();
        }

        @Bean
        JsonMapper snakeCase() {
            return JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
        }

    }

}
