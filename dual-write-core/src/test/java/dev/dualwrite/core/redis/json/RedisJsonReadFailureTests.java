package dev.dualwrite.core.redis.json;

import java.time.Instant;
import java.util.List;

import dev.dualwrite.core.redis.json.JsonToken.Holder;
import dev.dualwrite.testsupport.TestKeyPrefix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.FilterType;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.repository.ListCrudRepository;
import org.springframework.data.repository.ListPagingAndSortingRepository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/**
 * A value that cannot be read makes {@code findById} fail with a
 * {@link RedisJsonReadException} that names the key, the entity type and the problem, never
 * the value. What multi-key reads do with it is {@link RedisJsonUnreadableValuesTests}'s
 * subject.
 */
class RedisJsonReadFailureTests {

    private static final String SECRET = "alice@example.com";

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(RedisJsonReadFailureTests.class);

    private static AnnotationConfigApplicationContext context;

    private static Tokens repository;

    private static StringRedisTemplate redis;

    interface Tokens extends ListCrudRepository<JsonToken, String>, ListPagingAndSortingRepository<JsonToken, String> {

    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisJsonRepositories(considerNestedRepositories = true,
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = Tokens.class))
    static class Config {

        @Bean
        JsonMapper jsonMapper() {
            return JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        }

    }

    @BeforeAll
    static void start() {
        context = RedisJsonTestContext.start(keys, Config.class);
        repository = context.getBean(Tokens.class);
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

    private static String key(String id) {
        return keys.key("token:" + id);
    }

    private static JsonToken token(String id) {
        return new JsonToken(id, "name", new Holder("0x1", 1L), List.of("a"), Instant.EPOCH, 1, true, null);
    }

    private static RedisJsonReadException readFailure(Runnable call) {
        return (RedisJsonReadException) catchThrowable(call::run);
    }

    @Test
    void notJsonFailsNamingKeyAndTypeWithoutTheValue() {
        redis.opsForValue().set(key("bad"), "not json " + SECRET);

        assertThatThrownBy(() -> repository.findById("bad")).isInstanceOf(RedisJsonReadException.class)
            .hasMessageContaining("'" + key("bad") + "'")
            .hasMessageContaining(JsonToken.class.getName())
            .hasMessageContaining("not valid JSON")
            .hasMessageNotContaining(SECRET)
            .hasNoCause()
            .asInstanceOf(type(RedisJsonReadException.class))
            .satisfies((ex) -> {
                assertThat(ex.getKey()).isEqualTo(key("bad"));
                assertThat(ex.getEntityType()).isEqualTo(JsonToken.class);
            });
    }

    @Test
    void jsonOfTheWrongShapeNamesThePathButNotTheValue() {
        redis.opsForValue().set(key("bad"), "{\"id\":\"bad\",\"name\":\"n\",\"holder\":{\"address\":{\"mail\":\"" + SECRET
                + "\"}},\"tags\":[],\"issuedAt\":\"1970-01-01T00:00:00Z\",\"amount\":1,\"active\":true}");

        RedisJsonReadException failure = readFailure(() -> repository.findById("bad"));

        assertThat(failure.getMessage()).contains("$.holder.address").contains("does not fit").doesNotContain(SECRET);
    }

    @Test
    void anUnknownPropertyIsNamedWhenTheMapperRejectsIt() {
        redis.opsForValue().set(key("bad"), "{\"id\":\"bad\",\"name\":\"n\",\"tags\":[],\"issuedAt\":\"1970-01-01T00:00:00Z\","
                + "\"amount\":1,\"active\":true,\"mystery\":\"" + SECRET + "\"}");

        RedisJsonReadException failure = readFailure(() -> repository.findById("bad"));

        assertThat(failure.getMessage()).contains("'mystery'").doesNotContain(SECRET);
    }

    @Test
    void aJsonNullFails() {
        redis.opsForValue().set(key("bad"), "null");

        assertThatThrownBy(() -> repository.findById("bad")).isInstanceOf(RedisJsonReadException.class)
            .hasMessageContaining("JSON literal null");
    }

    @Test
    void aKeyOfAnotherRedisTypeFailsNamingThatType() {
        redis.opsForHash().put(key("hash"), "field", SECRET);

        assertThatThrownBy(() -> repository.findById("hash")).isInstanceOf(RedisJsonReadException.class)
            .hasMessageContaining(key("hash"))
            .hasMessageContaining("the key holds a Redis hash, where a JSON entity is stored as a Redis string")
            .hasMessageNotContaining(SECRET);
    }

    @Test
    void aValueWithoutIdTakesTheIdOfItsKey() {
        JsonToken token = token("t1");
        String json = context.getBean(JsonMapper.class).writeValueAsString(token.withId(null));
        redis.opsForValue().set(key("t1"), json);

        assertThat(repository.findById("t1")).contains(token);
    }

    @Test
    void aValueWhoseIdContradictsItsKeyFails() {
        redis.opsForValue().set(key("t1"), context.getBean(JsonMapper.class).writeValueAsString(token("t2")));

        assertThatThrownBy(() -> repository.findById("t1")).isInstanceOf(RedisJsonReadException.class)
            .hasMessageContaining(key("t1"))
            .hasMessageContaining("differs from the id in the key");
    }

}
