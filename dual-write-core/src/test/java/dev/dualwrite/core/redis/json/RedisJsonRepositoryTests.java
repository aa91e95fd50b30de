package dev.dualwrite.core.redis.json;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import dev.dualwrite.core.redis.json.JsonToken.Holder;
import dev.dualwrite.testsupport.TestKeyPrefix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.FilterType;
import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.data.core.PropertyReferenceException;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Pageable;
import org.springframework.data.domain.Sort;
import org.springframework.data.domain.Sort.Order;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.repository.CrudRepository;
import org.springframework.data.repository.ListCrudRepository;
import org.springframework.data.repository.ListPagingAndSortingRepository;
import org.springframework.data.repository.core.support.RepositoryFactoryBeanSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every {@code CrudRepository} and paging/sorting method of a Redis JSON repository against a
 * real Redis, with the application's own {@link JsonMapper} (snake_case, to prove it is used).
 */
class RedisJsonRepositoryTests {

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(RedisJsonRepositoryTests.class);

    private static AnnotationConfigApplicationContext context;

    private static TokenRepository repository;

    private static PlainTokenRepository plainRepository;

    private static StringRedisTemplate redis;

    interface TokenRepository
            extends ListCrudRepository<JsonToken, String>, ListPagingAndSortingRepository<JsonToken, String> {

    }

    interface PlainTokenRepository extends CrudRepository<JsonToken, String> {

    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisJsonRepositories(considerNestedRepositories = true, includeFilters = @Filter(
            type = FilterType.ASSIGNABLE_TYPE, classes = { TokenRepository.class, PlainTokenRepository.class }))
    static class Config {

        // The application's mapper: its naming strategy must show in every stored value.
        @Bean
        JsonMapper applicationJsonMapper() {
            return JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
        }

    }

    @BeforeAll
    static void start() {
        context = RedisJsonTestContext.start(keys, Config.class);
        repository = context.getBean(TokenRepository.class);
        plainRepository = context.getBean(PlainTokenRepository.class);
        redis = RedisJsonTestContext.redis(context);
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @AfterEach
    void deleteKeys() {
        keys.deleteKeys();
    }

    private static JsonToken token(String id, String name, long amount) {
        return new JsonToken(id, name, new Holder("0x" + id, (long) id.hashCode()), List.of("a", id),
                Instant.parse("2024-01-01T00:00:00Z").plusSeconds(amount), amount, amount % 2 == 0, null);
    }

    private static String key(String id) {
        return keys.key("token:" + id);
    }

    @Test
    void saveWritesExactlyWhatTheApplicationsJsonMapperWritesUnderPrefixPlusId() {
        JsonToken token = token("t1", "first", 1);

        JsonToken saved = repository.save(token);

        assertThat(saved).isSameAs(token);
        String stored = redis.opsForValue().get(key("t1"));
        assertThat(stored).isEqualTo(context.getBean(JsonMapper.class).writeValueAsString(token));
        assertThat(stored).contains("\"issued_at\":\"2024-01-01T00:00:01Z\"").contains("\"holder\":{\"address\":\"0xt1\"");
        assertThat(redis.type(key("t1")).code()).isEqualTo("string");
    }

    @Test
    void findByIdReadsTheValueBack() {
        JsonToken token = token("t1", "first", 1);
        repository.save(token);

        assertThat(repository.findById("t1")).contains(token);
        assertThat(repository.findById("missing")).isEmpty();
    }

    @Test
    void saveOverwritesTheKey() {
        repository.save(token("t1", "first", 1));
        repository.save(token("t1", "renamed", 1));

        assertThat(repository.findById("t1")).map(JsonToken::name).contains("renamed");
        assertThat(repository.count()).isOne();
    }

    @Test
    void saveWithoutIdFailsNamingTheEntityType() {
        JsonToken withoutId = token("t1", "first", 1).withId(null);

        assertThatThrownBy(() -> repository.save(withoutId)).isInstanceOf(InvalidDataAccessApiUsageException.class)
            .hasMessageContaining(JsonToken.class.getName())
            .hasMessageContaining("without an id");
    }

    @Test
    void saveAllWritesEveryEntityAndReturnsThem() {
        List<JsonToken> tokens = List.of(token("t1", "a", 1), token("t2", "b", 2), token("t3", "c", 3));

        List<JsonToken> saved = repository.saveAll(tokens);

        assertThat(saved).containsExactlyElementsOf(tokens);
        assertThat(repository.findAll()).containsExactlyInAnyOrderElementsOf(tokens);
    }

    @Test
    void saveAllWithOneEntityWithoutIdWritesNothing() {
        List<JsonToken> tokens = List.of(token("t1", "a", 1), token("t2", "b", 2).withId(null));

        assertThatThrownBy(() -> repository.saveAll(tokens)).isInstanceOf(InvalidDataAccessApiUsageException.class);
        assertThat(repository.count()).isZero();
    }

    @Test
    void existsByIdUsesTheKey() {
        repository.save(token("t1", "a", 1));

        assertThat(repository.existsById("t1")).isTrue();
        assertThat(repository.existsById("t2")).isFalse();
    }

    @Test
    void findAllByIdReturnsTheExistingOnesInTheOrderOfTheIds() {
        repository.saveAll(List.of(token("t1", "a", 1), token("t2", "b", 2), token("t3", "c", 3)));

        assertThat(repository.findAllById(List.of("t3", "missing", "t1", "t3"))).extracting(JsonToken::id)
            .containsExactly("t3", "t1");
        assertThat(plainRepository.findAllById(List.of("t2"))).extracting(JsonToken::id).containsExactly("t2");
    }

    @Test
    void countCountsTheKeysUnderThePrefixOnly() {
        repository.saveAll(List.of(token("t1", "a", 1), token("t2", "b", 2)));
        // A key that merely starts like the prefix's parent is not an entity.
        redis.opsForValue().set(keys.key("tokenizer"), "{}");

        assertThat(repository.count()).isEqualTo(2);
        assertThat(plainRepository.count()).isEqualTo(2);
    }

    @Test
    void deleteByIdDeletesTheKeyAndAMissingKeyIsFine() {
        repository.save(token("t1", "a", 1));

        repository.deleteById("t1");
        repository.deleteById("never-there");

        assertThat(redis.hasKey(key("t1"))).isFalse();
    }

    @Test
    void deleteDeletesTheEntitysKey() {
        JsonToken token = token("t1", "a", 1);
        repository.save(token);

        repository.delete(token);

        assertThat(repository.existsById("t1")).isFalse();
    }

    @Test
    void deleteAllByIdAndDeleteAllOfEntitiesDeleteTheirKeys() {
        repository.saveAll(List.of(token("t1", "a", 1), token("t2", "b", 2), token("t3", "c", 3), token("t4", "d", 4)));

        repository.deleteAllById(List.of("t1", "missing"));
        repository.deleteAll(List.of(token("t2", "b", 2)));

        assertThat(repository.findAll()).extracting(JsonToken::id).containsExactlyInAnyOrder("t3", "t4");
    }

    @Test
    void deleteAllDeletesEveryKeyUnderThePrefixAndNothingElse() {
        repository.saveAll(List.of(token("t1", "a", 1), token("t2", "b", 2)));
        redis.opsForValue().set(keys.key("other:1"), "keep");

        repository.deleteAll();

        assertThat(repository.count()).isZero();
        assertThat(redis.opsForValue().get(keys.key("other:1"))).isEqualTo("keep");
    }

    @Test
    void findAllWithSortOrdersInMemoryWithNullsLastWhenAscending() {
        JsonToken noHolder = new JsonToken("t0", "zero", null, List.of(), Instant.EPOCH, 0, true, null);
        repository.saveAll(List.of(token("t1", "b", 3), token("t2", "a", 1), token("t3", "C", 2), noHolder));

        assertThat(repository.findAll(Sort.by("amount"))).extracting(JsonToken::id)
            .containsExactly("t0", "t2", "t3", "t1");
        assertThat(repository.findAll(Sort.by(Order.desc("name").ignoreCase()))).extracting(JsonToken::id)
            .containsExactly("t0", "t3", "t1", "t2");
        assertThat(repository.findAll(Sort.by("holder.address"))).extracting(JsonToken::id)
            .containsExactly("t1", "t2", "t3", "t0");
        assertThat(repository.findAll(Sort.by(Order.asc("holder.address").nullsFirst()))).extracting(JsonToken::id)
            .containsExactly("t0", "t1", "t2", "t3");
    }

    @Test
    void findAllWithSortRejectsUnknownAndNonComparableProperties() {
        assertThatThrownBy(() -> repository.findAll(Sort.by("colour"))).isInstanceOf(PropertyReferenceException.class);
        assertThatThrownBy(() -> repository.findAll(Sort.by("holder"))).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'holder'")
            .hasMessageContaining("not Comparable");
    }

    @Test
    void findAllWithPageableSortedPagesInMemory() {
        repository.saveAll(IntStream.rangeClosed(1, 7).mapToObj((i) -> token("t" + i, "n" + i, 10 - i)).toList());

        Page<JsonToken> page = repository.findAll(PageRequest.of(1, 3, Sort.by("amount")));

        assertThat(page.getTotalElements()).isEqualTo(7);
        assertThat(page.getTotalPages()).isEqualTo(3);
        assertThat(page.getContent()).extracting(JsonToken::amount).containsExactly(6L, 7L, 8L);
    }

    @Test
    void findAllWithUnsortedPageableFollowsKeyOrderAndIsStable() {
        repository.saveAll(IntStream.rangeClosed(1, 5).mapToObj((i) -> token("t" + i, "n" + i, i)).toList());

        Page<JsonToken> first = repository.findAll(PageRequest.of(0, 2));
        Page<JsonToken> last = repository.findAll(PageRequest.of(2, 2));

        assertThat(first.getContent()).extracting(JsonToken::id).containsExactly("t1", "t2");
        assertThat(last.getContent()).extracting(JsonToken::id).containsExactly("t5");
        assertThat(last.getTotalElements()).isEqualTo(5);
        assertThat(repository.findAll(PageRequest.of(5, 2)).getContent()).isEmpty();
    }

    @Test
    void findAllWithUnpagedReturnsEverything() {
        repository.saveAll(List.of(token("t1", "b", 2), token("t2", "a", 1)));

        Page<JsonToken> page = repository.findAll(Pageable.unpaged(Sort.by("name")));

        assertThat(page.getContent()).extracting(JsonToken::id).containsExactly("t2", "t1");
        assertThat(page.getTotalElements()).isEqualTo(2);
    }

    @Test
    void repositoryIsMadeByARepositoryFactoryBeanSupportThatExposesEntityInformation() {
        RepositoryFactoryBeanSupport<?, ?, ?> factoryBean = context.getBeansOfType(RepositoryFactoryBeanSupport.class)
            .values()
            .stream()
            .filter((candidate) -> candidate.getObjectType() == TokenRepository.class)
            .findFirst()
            .orElseThrow();

        assertThat(factoryBean).isInstanceOf(RedisJsonRepositoryFactoryBean.class);
        @SuppressWarnings("unchecked")
        RedisJsonEntityInformation<JsonToken, String> information = (RedisJsonEntityInformation<JsonToken, String>) factoryBean
            .getEntityInformation();
        assertThat(information.getJavaType()).isEqualTo(JsonToken.class);
        assertThat(information.getIdType()).isEqualTo(String.class);
        assertThat(information.getKeyPrefix()).isEqualTo(keys.key("token:"));
        assertThat(information.getKey("t9")).isEqualTo(key("t9"));
        assertThat(information.getIdFromKey(key("t9"))).isEqualTo("t9");
        assertThat(factoryBean.getPersistentEntity().getType()).isEqualTo(JsonToken.class);
    }

    @Test
    void plainCrudRepositoryWorksToo() {
        plainRepository.save(token("t1", "a", 1));

        assertThat(plainRepository.findAll()).extracting(JsonToken::id).containsExactly("t1");
        assertThat(plainRepository.findById("t1")).map(JsonToken::name).isEqualTo(Optional.of("a"));
    }

}
