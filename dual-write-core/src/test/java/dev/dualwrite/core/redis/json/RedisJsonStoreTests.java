package dev.dualwrite.core.redis.json;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.dualwrite.core.redis.KeyPatterns;
import dev.dualwrite.core.redis.json.JsonToken.Holder;
import dev.dualwrite.testsupport.TestKeyPrefix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.data.annotation.Id;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.repository.ListCrudRepository;
import org.springframework.data.repository.ListPagingAndSortingRepository;
import org.springframework.data.repository.core.support.DefaultRepositoryMetadata;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The key-level behaviour under the repositories: batching across many keys, prefixes with
 * glob characters, derived deletes that spare updated values, and a factory used without
 * Spring configuration.
 */
class RedisJsonStoreTests {

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(RedisJsonStoreTests.class);

    private static LettuceConnectionFactory connectionFactory;

    private static StringRedisTemplate redis;

    private static RedisJsonRepositoryFactory factory;

    @RedisJson(keyPrefix = "${" + RedisJsonTestContext.PREFIX_PROPERTY + "}we*rd?[x]\\:")
    record GlobEntity(@Id String id, String name) {
    }

    interface GlobRepository extends ListCrudRepository<GlobEntity, String> {

        List<GlobEntity> findByName(String name);

    }

    interface TokenRepository
            extends ListCrudRepository<JsonToken, String>, ListPagingAndSortingRepository<JsonToken, String> {

        long countByActiveTrue();

    }

    @BeforeAll
    static void start() {
        connectionFactory = RedisJsonTestContext.connectionFactory(keys.server());
        connectionFactory.afterPropertiesSet();
        redis = new StringRedisTemplate(connectionFactory);
        RedisJsonMappingContext mappingContext = new RedisJsonMappingContext();
        // A batch of 3 keys makes every enumeration below span several SCAN/MGET rounds.
        factory = new RedisJsonRepositoryFactory(redis, JsonMapper.builder().findAndAddModules().build(),
                mappingContext, DefaultConversionService.getSharedInstance(), 3);
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources()
            .addFirst(new MapPropertySource("test",
                    Map.of(RedisJsonTestContext.PREFIX_PROPERTY, keys.prefix())));
        factory.setEnvironment(environment);
    }

    @AfterAll
    static void stop() {
        connectionFactory.destroy();
    }

    @AfterEach
    void deleteKeys() {
        keys.deleteKeys();
    }

    private static JsonToken token(int i) {
        return new JsonToken("t" + i, "n" + i, new Holder("0x" + i, (long) i), List.of(), Instant.EPOCH.plusSeconds(i),
                i, i % 2 == 0, null);
    }

    @Test
    void enumerationsSpanManyBatches() {
        TokenRepository repository = factory.getRepository(TokenRepository.class);
        List<JsonToken> tokens = IntStream.rangeClosed(1, 20).mapToObj(RedisJsonStoreTests::token).toList();

        repository.saveAll(tokens);

        assertThat(repository.count()).isEqualTo(20);
        assertThat(repository.findAll()).containsExactlyInAnyOrderElementsOf(tokens);
        assertThat(repository.findAllById(tokens.stream().map(JsonToken::id).toList())).containsExactlyElementsOf(tokens);
        assertThat(repository.countByActiveTrue()).isEqualTo(10);
        assertThat(repository.findAll(PageRequest.of(3, 5)).getContent()).hasSize(5);
        repository.deleteAll();
        assertThat(repository.count()).isZero();
    }

    @Test
    void aStreamReadsLazilyAndReleasesItsConnection() {
        TokenRepository repository = factory.getRepository(TokenRepository.class);
        repository.saveAll(IntStream.rangeClosed(1, 10).mapToObj(RedisJsonStoreTests::token).toList());
        RedisJsonStore<JsonToken, String> store = store(repository);

        try (Stream<RedisJsonEntry<JsonToken>> entries = store.stream()) {
            assertThat(entries.limit(4)).hasSize(4);
        }
        try (Stream<RedisJsonEntry<JsonToken>> entries = store.stream()) {
            assertThat(entries).allSatisfy((entry) -> assertThat(entry.key()).isEqualTo(keys.key("token:" + entry.entity().id())));
        }
    }

    @Test
    void aDerivedDeleteSparesAValueThatChangedAfterItWasRead() {
        TokenRepository repository = factory.getRepository(TokenRepository.class);
        repository.saveAll(List.of(token(1), token(2)));
        RedisJsonStore<JsonToken, String> store = store(repository);
        List<RedisJsonEntry<JsonToken>> read = store.findAllById(List.of("t1", "t2"));
        // A concurrent writer updates t2 between the read and the delete.
        repository.save(token(2).withName("updated"));

        List<RedisJsonEntry<JsonToken>> deleted = store.deleteIfUnchanged(read);

        assertThat(deleted).extracting(RedisJsonEntry::key).containsExactly(keys.key("token:t1"));
        assertThat(repository.findById("t2")).map(JsonToken::name).contains("updated");
    }

    @Test
    void aPrefixWithGlobCharactersMatchesOnlyItself() {
        GlobRepository repository = factory.getRepository(GlobRepository.class);
        repository.saveAll(List.of(new GlobEntity("1", "a"), new GlobEntity("2", "b")));
        // Would match the prefix if it were used as a glob unescaped: we*rd?[x]\:*
        redis.opsForValue().set(keys.key("we-and-more-rd!x:3"), "{\"id\":\"3\",\"name\":\"a\"}");
        redis.opsForValue().set(keys.key("weird?x:4"), "{\"id\":\"4\",\"name\":\"a\"}");

        assertThat(repository.count()).isEqualTo(2);
        assertThat(repository.findAll()).extracting(GlobEntity::id).containsExactlyInAnyOrder("1", "2");
        assertThat(repository.findByName("a")).extracting(GlobEntity::id).containsExactly("1");
        assertThat(redis.hasKey(keys.key("we*rd?[x]\\:1"))).isTrue();
    }

    @Test
    void keyPatternsEscapeEveryGlobCharacter() {
        assertThat(KeyPatterns.escape("a*b?c[d]e\\f:")).isEqualTo("a\\*b\\?c\\[d\\]e\\\\f:");
        assertThat(KeyPatterns.escape("token:")).isEqualTo("token:");
    }

    @Test
    void theFactoryExposesEntityInformation() {
        RedisJsonEntityInformation<?, ?> information = factory
            .getEntityInformation(new DefaultRepositoryMetadata(
                    TokenRepository.class));

        assertThat(information.getJavaType()).isEqualTo(JsonToken.class);
        assertThat(information.getKeyPrefix()).isEqualTo(keys.key("token:"));
    }

    @SuppressWarnings("unchecked")
    private static RedisJsonStore<JsonToken, String> store(TokenRepository repository) {
        RedisJsonEntityInformation<JsonToken, String> information = (RedisJsonEntityInformation<JsonToken, String>) factory
            .getEntityInformation(new DefaultRepositoryMetadata(
                    TokenRepository.class));
        RedisJsonCodec<JsonToken, String> codec = new RedisJsonCodec<>(JsonMapper.builder().findAndAddModules().build(),
                information, (RedisJsonPersistentEntity<JsonToken>) new RedisJsonMappingContext()
                    .getRequiredPersistentEntity(JsonToken.class));
        return new RedisJsonStore<>(redis, information, codec, 3);
    }

}
