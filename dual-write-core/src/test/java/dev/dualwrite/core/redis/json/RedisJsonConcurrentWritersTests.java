package dev.dualwrite.core.redis.json;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.dualwrite.core.redis.json.JsonToken.Holder;
import dev.dualwrite.testsupport.TestKeyPrefix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.FilterType;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.repository.ListCrudRepository;
import org.springframework.data.repository.ListPagingAndSortingRepository;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every multi-key query shape of a JSON repository runs while writer threads delete,
 * re-create and overwrite keys under the prefix: none may fail, and every answer holds only
 * well-formed entities keyed by their own id. A key that vanishes between the {@code SCAN}
 * and the read is a normal event under live traffic, not bad data; the repositories use the
 * strict policy ({@link UnreadableValuePolicy#FAIL}) here, so that a race mistaken for an
 * unreadable value fails the call instead of being skipped out of sight.
 */
class RedisJsonConcurrentWritersTests {

    private static final int KEYS = 200;

    private static final int WRITERS = 3;

    private static final int QUERY_THREADS = 2;

    private static final int ROUNDS_PER_QUERY_THREAD = 60;

    // Writers give this note to some re-created values; the derived delete removes them.
    private static final String DOOMED = "doomed";

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(RedisJsonConcurrentWritersTests.class);

    private static AnnotationConfigApplicationContext context;

    private static Tokens repository;

    private static StringRedisTemplate redis;

    private static JsonMapper jsonMapper;

    interface Tokens extends ListCrudRepository<JsonToken, String>, ListPagingAndSortingRepository<JsonToken, String> {

        List<JsonToken> findByActiveTrue();

        List<JsonToken> findByActiveTrueOrderByAmountDesc();

        Stream<JsonToken> streamByActiveFalse();

        Optional<JsonToken> findFirstByActiveTrue();

        long countByActiveTrue();

        boolean existsByNote(String note);

        List<JsonToken> deleteByNote(String note);

    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisJsonRepositories(considerNestedRepositories = true,
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = Tokens.class),
            unreadableValues = UnreadableValuePolicy.FAIL)
    static class Config {

    }

    @BeforeAll
    static void start() {
        context = RedisJsonTestContext.start(keys, Config.class);
        repository = context.getBean(Tokens.class);
        redis = RedisJsonTestContext.redis(context);
        jsonMapper = JsonMapper.builder().findAndAddModules().build();
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    private static String id(int i) {
        return "u" + i;
    }

    // Every field but amount, active and note follows from the id, so an answer can be checked
    // for values that were torn, mixed up between keys or read under the wrong key.
    private static JsonToken token(String id, long version, boolean active, String note) {
        return new JsonToken(id, "name-" + id, new Holder(id, version), List.of(id), Instant.EPOCH.plusSeconds(version),
                version, active, note);
    }

    private static void assertWellFormed(Collection<JsonToken> answer, Set<String> allowedIds) {
        Set<String> seen = new HashSet<>();
        for (JsonToken token : answer) {
            assertThat(token.id()).isIn(allowedIds);
            assertThat(seen.add(token.id())).as("id %s returned twice", token.id()).isTrue();
            assertThat(token.name()).isEqualTo("name-" + token.id());
            assertThat(token.holder()).isNotNull();
            assertThat(token.holder().address()).isEqualTo(token.id());
            assertThat(token.tags()).containsExactly(token.id());
        }
    }

    @Test
    void everyQueryShapeAnswersWhileWritersDeleteAndRecreateKeys() throws Exception {
        Set<String> allIds = new HashSet<>();
        IntStream.range(0, KEYS).forEach((i) -> allIds.add(id(i)));
        repository.saveAll(allIds.stream().map((id) -> token(id, 0, true, "")).toList());
        List<String> someIds = IntStream.range(0, KEYS)
            .filter((i) -> i % 3 == 0)
            .mapToObj(RedisJsonConcurrentWritersTests::id)
            .toList();
        Set<String> someIdSet = Set.copyOf(someIds);

        Map<String, Supplier<Collection<JsonToken>>> shapes = new LinkedHashMap<>();
        shapes.put("findAll()", repository::findAll);
        shapes.put("findAll(Sort)", () -> repository.findAll(Sort.by("amount")));
        shapes.put("findAll(Pageable)", () -> repository.findAll(PageRequest.of(0, 50)).getContent());
        shapes.put("findAll(sorted Pageable)",
                () -> repository.findAll(PageRequest.of(1, 50, Sort.by("name"))).getContent());
        shapes.put("findAllById", () -> {
            List<JsonToken> found = repository.findAllById(someIds);
            assertWellFormed(found, someIdSet);
            return found;
        });
        shapes.put("findByActiveTrue", repository::findByActiveTrue);
        shapes.put("findByActiveTrueOrderByAmountDesc", repository::findByActiveTrueOrderByAmountDesc);
        shapes.put("streamByActiveFalse", () -> {
            try (Stream<JsonToken> stream = repository.streamByActiveFalse()) {
                return stream.toList();
            }
        });
        shapes.put("findFirstByActiveTrue", () -> repository.findFirstByActiveTrue().stream().toList());
        shapes.put("countByActiveTrue", () -> {
            assertThat(repository.countByActiveTrue()).isBetween(0L, (long) KEYS);
            return List.of();
        });
        shapes.put("count()", () -> {
            assertThat(repository.count()).isBetween(0L, (long) KEYS);
            return List.of();
        });
        shapes.put("existsByNote", () -> {
            repository.existsByNote(DOOMED);
            return List.of();
        });
        shapes.put("deleteByNote", () -> {
            List<JsonToken> deleted = repository.deleteByNote(DOOMED);
            assertThat(deleted).allSatisfy((token) -> assertThat(token.note()).isEqualTo(DOOMED));
            return deleted;
        });

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
        Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
        Map<String, Throwable> firstFailure = new ConcurrentHashMap<>();
        ExecutorService threads = Executors.newFixedThreadPool(WRITERS + QUERY_THREADS);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                writers.add(threads.submit(() -> churn(stop, writes)));
            }
            List<Future<?>> queries = new ArrayList<>();
            for (int q = 0; q < QUERY_THREADS; q++) {
                queries.add(threads.submit(() -> {
                    for (int round = 0; round < ROUNDS_PER_QUERY_THREAD; round++) {
                        shapes.forEach((shape, call) -> {
                            calls.computeIfAbsent(shape, (s) -> new AtomicLong()).incrementAndGet();
                            try {
                                assertWellFormed(call.get(), allIds);
                            }
                            catch (RuntimeException | AssertionError ex) {
                                failures.computeIfAbsent(shape, (s) -> new AtomicLong()).incrementAndGet();
                                firstFailure.putIfAbsent(shape, ex);
                            }
                        });
                    }
                }));
            }
            for (Future<?> query : queries) {
                query.get(5, TimeUnit.MINUTES);
            }
            stop.set(true);
            for (Future<?> writer : writers) {
                writer.get(1, TimeUnit.MINUTES);
            }
        }
        finally {
            stop.set(true);
            threads.shutdownNow();
        }

        long totalCalls = calls.values().stream().mapToLong(AtomicLong::get).sum();
        long totalFailures = failures.values().stream().mapToLong(AtomicLong::get).sum();
        System.out.printf("%d of %d calls failed with %d concurrent writes; per shape: %s%n", totalFailures, totalCalls,
                writes.get(), failures);
        firstFailure.forEach((shape, failure) -> System.out.printf("first failure of %s: %s%n", shape, failure));
        assertThat(writes.get()).as("writes while the queries ran").isGreaterThan(0);
        assertThat(totalFailures).as("%d of %d calls failed, first of each shape printed above", totalFailures,
                totalCalls).isZero();
    }

    // Deletes and re-creates (or overwrites) random keys until stopped, always with a
    // well-formed value under the right key.
    private static Void churn(AtomicBoolean stop, AtomicLong writes) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long version = 1;
        while (!stop.get()) {
            String id = id(random.nextInt(KEYS));
            String key = keys.key("token:" + id);
            String json = jsonMapper
                .writeValueAsString(token(id, version++, random.nextBoolean(), random.nextInt(5) == 0 ? DOOMED : ""));
            if (random.nextInt(4) > 0) {
                redis.delete(key);
            }
            redis.opsForValue().set(key, json);
            writes.incrementAndGet();
        }
        return null;
    }

}
