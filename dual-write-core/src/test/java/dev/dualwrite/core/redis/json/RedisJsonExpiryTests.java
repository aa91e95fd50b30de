package dev.dualwrite.core.redis.json;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.dualwrite.core.expiry.RedisKeyTtl;
import dev.dualwrite.testsupport.TestKeyPrefix;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.aop.framework.Advised;
import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.data.annotation.Id;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.TimeToLive;
import org.springframework.data.repository.ListCrudRepository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Expiries of JSON-string keys against a real Redis: a save keeps the TTL the application
 * set on the key (SET ... KEEPTTL, single and batched), and a {@code @TimeToLive} property
 * is written as the key's expiry and read back as the time left, as Spring Data Redis does
 * for {@code @RedisHash} entities.
 */
class RedisJsonExpiryTests {

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(RedisJsonExpiryTests.class);

    private static LettuceConnectionFactory connectionFactory;

    private static StringRedisTemplate redis;

    private static RedisJsonRepositoryFactory factory;

    @RedisJson(keyPrefix = "${" + RedisJsonTestContext.PREFIX_PROPERTY + "}counter:")
    record Counter(@Id String id, long hits) {
    }

    @RedisJson(keyPrefix = "${" + RedisJsonTestContext.PREFIX_PROPERTY + "}session:")
    record Session(@Id String id, String user, @JsonIgnore @TimeToLive(unit = TimeUnit.MILLISECONDS) @Nullable Long ttl) {
    }

    interface CounterRepository extends ListCrudRepository<Counter, String> {

    }

    interface SessionRepository extends ListCrudRepository<Session, String> {

    }

    @BeforeAll
    static void start() {
        connectionFactory = RedisJsonTestContext.connectionFactory(keys.server());
        connectionFactory.afterPropertiesSet();
        redis = new StringRedisTemplate(connectionFactory);
        factory = new RedisJsonRepositoryFactory(redis, JsonMapper.builder().findAndAddModules().build(),
                new RedisJsonMappingContext(), DefaultConversionService.getSharedInstance(), 2);
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources()
            .addFirst(new MapPropertySource("test", Map.of(RedisJsonTestContext.PREFIX_PROPERTY, keys.prefix())));
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

    @Test
    void aSaveKeepsTheExpiryTheApplicationSetOnTheKey() {
        CounterRepository counters = factory.getRepository(CounterRepository.class);
        String key = keys.prefix() + "counter:daily";
        counters.save(new Counter("daily", 1));
        redis.expire(key, Duration.ofMinutes(10));

        counters.save(new Counter("daily", 2));

        assertThat(redis.getExpire(key, TimeUnit.MILLISECONDS)).isBetween(1L, Duration.ofMinutes(10).toMillis());
        assertThat(counters.findById("daily")).contains(new Counter("daily", 2));
    }

    @Test
    void aBatchedSaveKeepsEachKeysExpiryAndLeavesPersistentKeysPersistent() {
        CounterRepository counters = factory.getRepository(CounterRepository.class);
        counters.saveAll(List.of(new Counter("a", 1), new Counter("b", 1), new Counter("c", 1)));
        redis.expire(keys.prefix() + "counter:a", Duration.ofMinutes(10));
        redis.expire(keys.prefix() + "counter:c", Duration.ofMinutes(20));

        // A batch size of 2: the three keys take two scripted batches.
        counters.saveAll(List.of(new Counter("a", 2), new Counter("b", 2), new Counter("c", 2)));

        assertThat(redis.getExpire(keys.prefix() + "counter:a", TimeUnit.SECONDS)).isBetween(1L, 600L);
        assertThat(redis.getExpire(keys.prefix() + "counter:b", TimeUnit.SECONDS)).isEqualTo(-1L);
        assertThat(redis.getExpire(keys.prefix() + "counter:c", TimeUnit.SECONDS)).isBetween(601L, 1200L);
        assertThat(counters.findAll()).extracting(Counter::hits).containsOnly(2L);
    }

    @Test
    void aTimeToLivePropertyIsWrittenAsTheExpiryAndReadBackAsTheTimeLeft() {
        SessionRepository sessions = factory.getRepository(SessionRepository.class);
        String key = keys.prefix() + "session:s1";

        sessions.save(new Session("s1", "ann", 1500L));

        long pttl = redis.getExpire(key, TimeUnit.MILLISECONDS);
        assertThat(pttl).isBetween(1L, 1500L);
        assertThat(redis.opsForValue().get(key)).doesNotContain("ttl");
        Session read = sessions.findById("s1").orElseThrow();
        assertThat(read.ttl()).isBetween(1L, 1500L);
        assertThat(sessions.findAllById(List.of("s1"))).singleElement()
            .satisfies((session) -> assertThat(session.ttl()).isBetween(1L, 1500L));
        // The key really expires: it is gone for every read once its time is up.
        await().atMost(Duration.ofSeconds(5)).until(() -> sessions.findById("s1").isEmpty());
        assertThat(sessions.findAll()).isEmpty();
    }

    @Test
    void aNullTimeToLiveKeepsTheExpiryAndZeroRemovesIt() {
        SessionRepository sessions = factory.getRepository(SessionRepository.class);
        String key = keys.prefix() + "session:s2";
        sessions.save(new Session("s2", "ann", 600_000L));

        sessions.save(new Session("s2", "bob", null));
        assertThat(redis.getExpire(key, TimeUnit.SECONDS)).isBetween(1L, 600L);
        assertThat(sessions.findById("s2")).get().extracting(Session::user).isEqualTo("bob");

        sessions.saveAll(List.of(new Session("s2", "cy", 0L)));
        assertThat(redis.getExpire(key, TimeUnit.SECONDS)).isEqualTo(-1L);
        assertThat(sessions.findById("s2")).contains(new Session("s2", "cy", -1L));
    }

    @Test
    void theKeyExpiryOfARepositoryOnAnotherRedisDatabaseIsReadThroughThatDatabase() throws Exception {
        RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(keys.server().host(),
                keys.server().port());
        configuration.setDatabase(1);
        LettuceConnectionFactory otherDatabase = new LettuceConnectionFactory(configuration);
        otherDatabase.afterPropertiesSet();
        StringRedisTemplate otherRedis = new StringRedisTemplate(otherDatabase);
        String key = keys.prefix() + "session:elsewhere";
        try {
            RedisJsonRepositoryFactory otherFactory = new RedisJsonRepositoryFactory(otherRedis,
                    JsonMapper.builder().findAndAddModules().build(), new RedisJsonMappingContext(),
                    DefaultConversionService.getSharedInstance(), 2);
            StandardEnvironment environment = new StandardEnvironment();
            environment.getPropertySources()
                .addFirst(new MapPropertySource("test", Map.of(RedisJsonTestContext.PREFIX_PROPERTY, keys.prefix())));
            otherFactory.setEnvironment(environment);
            SessionRepository sessions = otherFactory.getRepository(SessionRepository.class);
            sessions.save(new Session("elsewhere", "ann", 600_000L));
            @SuppressWarnings("unchecked")
            ListCrudRepository<Session, String> target = (ListCrudRepository<Session, String>) ((Advised) sessions)
                .getTargetSource().getTarget();

            RedisKeyTtl<Session, String> keyTtl = RedisKeyTtl.of(target, Session.class, null);
            Long pttl = keyTtl.execute((connection) -> connection.keyCommands().pTtl(key.getBytes()));

            // The default database does not hold the key: read there, it would look gone (-2).
            assertThat(redis.getExpire(key, TimeUnit.MILLISECONDS)).isEqualTo(-2L);
            assertThat(pttl).isBetween(1L, 600_000L);
        }
        finally {
            otherRedis.delete(key);
            otherDatabase.destroy();
        }
    }

    @Test
    void aServerOlderThanRedis6IsRefusedAtStartupNamingTheRepositoryAndTheVersion() {
        // The real server (7.x) passes the check the factory bean runs.
        RedisKeepTtlSupport.check(connectionFactory, SessionRepository.class.getName());
        assertThat(RedisKeepTtlSupport.problem("7.2.4", "com.example.Sessions")).isNull();
        assertThat(RedisKeepTtlSupport.problem("6.0.0", "com.example.Sessions")).isNull();
        assertThat(RedisKeepTtlSupport.problem("5.0.14", "com.example.Sessions"))
            .contains("Redis JSON repository com.example.Sessions needs Redis 6.0 or later")
            .contains("reports version 5.0.14")
            .contains("KEEPTTL");
    }

    @Test
    void aTimeToLiveOnANonNumberIsRefusedNamingTheProperty() {
        record Bad(@Id String id, @TimeToLive String ttl) {
        }
        RedisJsonMappingContext context = new RedisJsonMappingContext();
        RedisJsonPersistentEntity<?> entity = context.getRequiredPersistentEntity(Bad.class);

        org.assertj.core.api.Assertions.assertThatIllegalStateException()
            .isThrownBy(() -> new JsonTimeToLive<>(entity))
            .withMessageContaining("Bad.ttl is annotated with @TimeToLive but is not a number");
    }

}
