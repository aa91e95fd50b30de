package dev.dualwrite.core.redis.json;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.dualwrite.core.redis.json.JsonToken.Holder;
import dev.dualwrite.testsupport.TestKeyPrefix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.FilterType;
import org.springframework.data.annotation.Id;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.repository.ListCrudRepository;
import org.springframework.data.repository.ListPagingAndSortingRepository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Malformed values under the prefix must not break every list query. By default multi-key
 * reads leave them out, log each key once (key and reason, never the value) and tell the
 * {@link UnreadableValueListener} beans, while {@code findById} of such a key fails naming
 * it; {@link UnreadableValuePolicy#FAIL}, on {@link EnableRedisJsonRepositories} or per entity
 * on {@link RedisJson}, makes multi-key reads fail instead.
 */
class RedisJsonUnreadableValuesTests {

    private static final String SECRET = "alice@example.com";

    // The six malformed values of the report, each wrong in another way.
    private static final List<String> BAD_KINDS = List.of("text", "null", "shape", "cut", "id", "hash");

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(RedisJsonUnreadableValuesTests.class);

    private static AnnotationConfigApplicationContext skipping;

    private static AnnotationConfigApplicationContext failing;

    private static StringRedisTemplate redis;

    private static final JsonMapper json = JsonMapper.builder().findAndAddModules().build();

    private ListAppender<ILoggingEvent> logs;

    // Ids of the six malformed values, new in each test: a key is logged only once per
    // repository, and the repositories outlive a test.
    private List<String> badIds;

    interface Tokens extends ListCrudRepository<JsonToken, String>, ListPagingAndSortingRepository<JsonToken, String> {

        List<JsonToken> findByActiveTrue();

        Stream<JsonToken> streamByActiveTrue();

        long countByActiveTrue();

        boolean existsByName(String name);

        long deleteByActiveFalse();

    }

    @RedisJson(keyPrefix = "${" + RedisJsonTestContext.PREFIX_PROPERTY + "}strict:",
            unreadableValues = UnreadableValuePolicy.FAIL)
    record StrictItem(@Id String id, String name) {
    }

    interface StrictItems extends ListCrudRepository<StrictItem, String> {

    }

    @RedisJson(keyPrefix = "${" + RedisJsonTestContext.PREFIX_PROPERTY + "}lenient:",
            unreadableValues = UnreadableValuePolicy.SKIP)
    record LenientItem(@Id String id, String name) {
    }

    interface LenientItems extends ListCrudRepository<LenientItem, String> {

    }

    /** Records every value left out, as a meter would count it. */
    static class RecordingListener implements UnreadableValueListener {

        final List<Map.Entry<Class<?>, String>> skipped = new CopyOnWriteArrayList<>();

        @Override
        public void skipped(Class<?> repositoryInterface, RedisJsonReadException failure) {
            this.skipped.add(Map.entry(repositoryInterface, failure.getKey()));
        }

    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisJsonRepositories(considerNestedRepositories = true, includeFilters = @Filter(
            type = FilterType.ASSIGNABLE_TYPE, classes = { Tokens.class, StrictItems.class }))
    static class SkippingConfig {

        @Bean
        RecordingListener recordingListener() {
            return new RecordingListener();
        }

    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisJsonRepositories(considerNestedRepositories = true, unreadableValues = UnreadableValuePolicy.FAIL,
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = { Tokens.class, LenientItems.class }))
    static class FailingConfig {

        // A listener that fails must not fail the read it observes.
        @Bean
        UnreadableValueListener brokenListener() {
            return (repository, failure) -> {
                throw new IllegalStateException("listener broken on purpose");
            };
        }

    }

    @BeforeAll
    static void start() {
        skipping = RedisJsonTestContext.start(keys, SkippingConfig.class);
        failing = RedisJsonTestContext.start(keys, FailingConfig.class);
        redis = RedisJsonTestContext.redis(skipping);
    }

    @AfterAll
    static void stop() {
        skipping.close();
        failing.close();
    }

    @BeforeEach
    void captureLogs() {
        this.logs = new ListAppender<>();
        this.logs.start();
        ((Logger) LoggerFactory.getLogger(UnreadableValues.class)).addAppender(this.logs);
        skipping.getBean(RecordingListener.class).skipped.clear();
        String run = UUID.randomUUID().toString().substring(0, 8);
        this.badIds = BAD_KINDS.stream().map((kind) -> "bad-" + kind + "-" + run).toList();
    }

    @AfterEach
    void deleteKeysAndStopCapturing() {
        ((Logger) LoggerFactory.getLogger(UnreadableValues.class)).detachAppender(this.logs);
        keys.deleteKeys();
    }

    private static String key(String id) {
        return keys.key("token:" + id);
    }

    private static JsonToken token(String id, boolean active) {
        return new JsonToken(id, "name-" + id, new Holder("0x" + id, 1L), List.of(), Instant.EPOCH, 1, active, null);
    }

    private String bad(String kind) {
        return this.badIds.get(BAD_KINDS.indexOf(kind));
    }

    // Three good tokens (t1, t2 active, t3 not) and six values that cannot be read.
    private void storeGoodAndBadValues() {
        for (JsonToken token : List.of(token("t1", true), token("t2", true), token("t3", false))) {
            redis.opsForValue().set(key(token.id()), json.writeValueAsString(token));
        }
        redis.opsForValue().set(key(bad("text")), "not json " + SECRET);
        redis.opsForValue().set(key(bad("null")), "null");
        redis.opsForValue()
            .set(key(bad("shape")), "{\"name\":\"n\",\"tags\":[],\"issuedAt\":\"1970-01-01T00:00:00Z\",\"amount\":\""
                    + SECRET + "\",\"active\":true}");
        redis.opsForValue().set(key(bad("cut")), "{\"name\":\"" + SECRET);
        redis.opsForValue().set(key(bad("id")), json.writeValueAsString(token("someone-else", true)));
        redis.opsForHash().put(key(bad("hash")), "email", SECRET);
    }

    private static List<String> ids(List<JsonToken> tokens) {
        return tokens.stream().map(JsonToken::id).toList();
    }

    @Test
    void listQueriesLeaveUnreadableValuesOutByDefault() {
        storeGoodAndBadValues();
        Tokens tokens = skipping.getBean(Tokens.class);
        List<String> allIds = Stream.concat(Stream.of("t1", "t2", "t3"), this.badIds.stream()).toList();

        assertThat(ids(tokens.findAll())).containsExactlyInAnyOrder("t1", "t2", "t3");
        assertThat(ids(tokens.findAll(Sort.by("name")))).containsExactly("t1", "t2", "t3");
        assertThat(ids(tokens.findAll(PageRequest.of(0, 20)).getContent())).containsExactlyInAnyOrder("t1", "t2", "t3");
        assertThat(ids(tokens.findAllById(allIds))).containsExactly("t1", "t2", "t3");
        assertThat(ids(tokens.findByActiveTrue())).containsExactlyInAnyOrder("t1", "t2");
        try (Stream<JsonToken> active = tokens.streamByActiveTrue()) {
            assertThat(active.map(JsonToken::id)).containsExactlyInAnyOrder("t1", "t2");
        }
        assertThat(tokens.countByActiveTrue()).isEqualTo(2);
        assertThat(tokens.existsByName("name-t3")).isTrue();
        // count() looks at keys only, so it still sees the six.
        assertThat(tokens.count()).isEqualTo(9);

        assertThat(tokens.deleteByActiveFalse()).isEqualTo(1);
        assertThat(this.badIds).allSatisfy((id) -> assertThat(redis.hasKey(key(id))).as(id).isTrue());
        assertThat(redis.hasKey(key("t3"))).isFalse();
    }

    @Test
    void findByIdOfAnUnreadableValueStillFailsNamingTheKeyAndTheProblem() {
        storeGoodAndBadValues();
        Tokens tokens = skipping.getBean(Tokens.class);

        assertThatThrownBy(() -> tokens.findById(bad("text"))).isInstanceOf(RedisJsonReadException.class)
            .hasMessageContaining("'" + key(bad("text")) + "'")
            .hasMessageContaining("not valid JSON")
            .hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> tokens.findById(bad("hash"))).isInstanceOf(RedisJsonReadException.class)
            .hasMessageContaining("'" + key(bad("hash")) + "'")
            .hasMessageContaining("holds a Redis hash")
            .hasMessageNotContaining(SECRET);
        assertThat(tokens.findById("t1")).contains(token("t1", true));
    }

    @Test
    void eachValueLeftOutIsLoggedOncePerKeyWithoutTheValueAndToldToListenersEachTime() {
        storeGoodAndBadValues();
        Tokens tokens = skipping.getBean(Tokens.class);

        tokens.findAll();
        tokens.findAll();
        tokens.findByActiveTrue();

        List<String> warnings = this.logs.list.stream()
            .filter((event) -> event.getLevel() == Level.WARN)
            .map(ILoggingEvent::getFormattedMessage)
            .toList();
        assertThat(warnings).hasSize(this.badIds.size())
            .allSatisfy((message) -> assertThat(message).contains(Tokens.class.getName()).doesNotContain(SECRET));
        assertThat(this.badIds).allSatisfy((id) -> assertThat(warnings)
            .filteredOn((message) -> message.contains("'" + key(id) + "'"))
            .hasSize(1));
        assertThat(warnings).anySatisfy((message) -> assertThat(message).contains(key(bad("id")))
            .contains("differs from the id in the key"));

        List<Map.Entry<Class<?>, String>> skipped = skipping.getBean(RecordingListener.class).skipped;
        assertThat(skipped).hasSize(3 * this.badIds.size())
            .allSatisfy((entry) -> assertThat(entry.getKey()).isEqualTo(Tokens.class));
        assertThat(skipped).extracting(Map.Entry::getValue)
            .containsOnly(this.badIds.stream().map(RedisJsonUnreadableValuesTests::key).toArray(String[]::new));
    }

    @Test
    void anEntityCanAskToFailWhileTheOthersSkip() {
        redis.opsForValue().set(keys.key("strict:s1"), "{\"id\":\"s1\",\"name\":\"ok\"}");
        redis.opsForValue().set(keys.key("strict:s2"), "{\"id\":\"s2\",\"name\":" + SECRET);

        assertThatThrownBy(() -> skipping.getBean(StrictItems.class).findAll()).isInstanceOf(RedisJsonReadException.class)
            .hasMessageContaining(keys.key("strict:s2"))
            .hasMessageNotContaining(SECRET);
    }

    @Test
    void failOnEnableRedisJsonRepositoriesFailsEveryMultiKeyRead() {
        storeGoodAndBadValues();
        Tokens tokens = failing.getBean(Tokens.class);

        assertThatThrownBy(tokens::findAll).isInstanceOf(RedisJsonReadException.class)
            .hasMessageContaining(keys.key("token:bad-"))
            .hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> tokens.findAll(Sort.by("name"))).isInstanceOf(RedisJsonReadException.class);
        assertThatThrownBy(() -> tokens.findAllById(List.of("t1", bad("hash")))).isInstanceOf(RedisJsonReadException.class)
            .hasMessageContaining("'" + key(bad("hash")) + "'")
            .hasMessageContaining("holds a Redis hash");
        assertThatThrownBy(tokens::findByActiveTrue).isInstanceOf(RedisJsonReadException.class);
        assertThatThrownBy(tokens::countByActiveTrue).isInstanceOf(RedisJsonReadException.class);
        assertThat(this.logs.list).isEmpty();
    }

    @Test
    void anEntityCanAskToSkipWhileTheRepositoriesFailAndABrokenListenerDoesNotFailTheRead() {
        redis.opsForValue().set(keys.key("lenient:l1"), "{\"id\":\"l1\",\"name\":\"ok\"}");
        redis.opsForValue().set(keys.key("lenient:l2"), "[\"" + SECRET + "\"]");

        assertThat(failing.getBean(LenientItems.class).findAll()).containsExactly(new LenientItem("l1", "ok"));
    }

}
