package dev.dualwrite.core.redis.json;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import dev.dualwrite.core.redis.json.JsonToken.Holder;
import dev.dualwrite.testsupport.TestKeyPrefix;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.FilterType;
import org.springframework.dao.IncorrectResultSizeDataAccessException;
import org.springframework.data.domain.Limit;
import org.springframework.data.domain.Sort;
import org.springframework.data.repository.ListCrudRepository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each supported derived-query keyword, return type and special parameter of a Redis JSON
 * repository, against a real Redis and the default JSON mapper (the context has no
 * {@code JsonMapper} bean).
 */
class RedisJsonDerivedQueryTests {

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(RedisJsonDerivedQueryTests.class);

    private static AnnotationConfigApplicationContext context;

    private static TokenQueries repository;

    interface TokenQueries extends ListCrudRepository<JsonToken, String> {

        List<JsonToken> findByHolderAddress(String address);

        long countByHolderFid(Long fid);

        List<JsonToken> findByNameNot(String name);

        List<JsonToken> findByAmountIn(Collection<Long> amounts);

        List<JsonToken> findByAmountNotIn(Long... amounts);

        List<JsonToken> findByNoteIsNull();

        List<JsonToken> findByNoteIsNotNull();

        List<JsonToken> findByHolderFidIsNull();

        List<JsonToken> findByActiveTrue();

        List<JsonToken> findByActiveFalse();

        List<JsonToken> findByNameLike(String pattern);

        List<JsonToken> findByNameNotLikeIgnoreCase(String pattern);

        List<JsonToken> findByNoteLike(String pattern);

        List<JsonToken> findByNameContaining(String part);

        List<JsonToken> findByNameContainingIgnoreCase(String part);

        List<JsonToken> findByNameNotContaining(String part);

        List<JsonToken> findByNameStartingWith(String start);

        List<JsonToken> findByNameEndingWithIgnoreCase(String end);

        List<JsonToken> findByTagsContaining(String tag);

        List<JsonToken> findByTagsIsEmpty();

        List<JsonToken> findByTagsIsNotEmpty();

        List<JsonToken> findByAmountGreaterThan(long amount);

        List<JsonToken> findByAmountGreaterThanEqual(long amount);

        List<JsonToken> findByAmountLessThan(long amount);

        List<JsonToken> findByAmountLessThanEqual(long amount);

        long countByAmountGreaterThan(Integer amount);

        List<JsonToken> findByIssuedAtBefore(Instant instant);

        List<JsonToken> findByIssuedAtAfter(Instant instant);

        List<JsonToken> findByIssuedAtBetween(Instant from, Instant to);

        List<JsonToken> findByNameIgnoreCase(String name);

        List<JsonToken> findByNameRegex(String regex);

        List<JsonToken> findByHolderAddressAndActiveTrue(String address);

        List<JsonToken> findByHolderAddressOrAmountGreaterThan(String address, long amount);

        List<JsonToken> findByHolderAddressStartingWithAllIgnoreCase(String start);

        List<JsonToken> findByActiveTrueOrderByAmountDesc();

        Optional<JsonToken> findFirstByOrderByIssuedAtDesc();

        List<JsonToken> findTop2ByActiveTrueOrderByAmountAsc();

        List<JsonToken> findByActiveTrue(Sort sort);

        List<JsonToken> findByActiveTrue(Limit limit, Sort sort);

        // The package is @NullMarked, so Spring Data refuses a null result unless it is declared.
        @Nullable JsonToken findByName(String name);

        Optional<JsonToken> findOneByHolderAddress(String address);

        Stream<JsonToken> streamByActiveTrue();

        Stream<JsonToken> streamByActiveTrueOrderByAmountDesc();

        Collection<JsonToken> readByActiveFalse();

        Iterable<JsonToken> queryByActiveTrue();

        boolean existsByHolderAddress(String address);

        int countByActiveTrue();

        List<JsonToken> deleteByActiveFalse();

        long deleteByHolderAddress(String address);

        void removeByName(String name);

    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisJsonRepositories(considerNestedRepositories = true,
            includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = TokenQueries.class))
    static class Config {

    }

    @BeforeAll
    static void start() {
        context = RedisJsonTestContext.start(keys, Config.class);
        repository = context.getBean(TokenQueries.class);
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    private static final Instant JAN = Instant.parse("2024-01-01T00:00:00Z");

    private static final Instant FEB = Instant.parse("2024-02-01T00:00:00Z");

    private static final Instant MAR = Instant.parse("2024-03-01T00:00:00Z");

    private static final Instant APR = Instant.parse("2024-04-01T00:00:00Z");

    private static final Instant MAY = Instant.parse("2024-05-01T00:00:00Z");

    @BeforeEach
    void saveTokens() {
        keys.deleteKeys();
        repository.saveAll(List.of(
                new JsonToken("t1", "Alpha", new Holder("0xAAA", 1L), List.of("red", "blue"), JAN, 10, true, "first"),
                new JsonToken("t2", "beta", new Holder("0xBBB", 2L), List.of("blue"), FEB, 20, false, null),
                new JsonToken("t3", "Gamma ray", new Holder("0xAAA", 3L), List.of(), MAR, 30, true, "third"),
                new JsonToken("t4", "delta", new Holder("0xCCC", null), List.of("green"), APR, 40, false, "100%_sure"),
                new JsonToken("t5", "Epsilon", null, List.of("red"), MAY, 50, true, null)));
    }

    private static List<String> ids(Iterable<JsonToken> tokens) {
        List<String> ids = new ArrayList<>();
        tokens.forEach((token) -> ids.add(token.id()));
        return ids;
    }

    @Test
    void equalsOnANestedProperty() {
        assertThat(ids(repository.findByHolderAddress("0xAAA"))).containsExactlyInAnyOrder("t1", "t3");
        assertThat(repository.findByHolderAddress("nowhere")).isEmpty();
        assertThat(repository.countByHolderFid(1L)).isOne();
    }

    @Test
    void notInAndNotIn() {
        assertThat(ids(repository.findByNameNot("beta"))).containsExactlyInAnyOrder("t1", "t3", "t4", "t5");
        assertThat(ids(repository.findByAmountIn(List.of(10L, 30L)))).containsExactlyInAnyOrder("t1", "t3");
        assertThat(ids(repository.findByAmountNotIn(10L, 30L))).containsExactlyInAnyOrder("t2", "t4", "t5");
    }

    @Test
    void nullChecksIncludingANullOnTheWay() {
        assertThat(ids(repository.findByNoteIsNull())).containsExactlyInAnyOrder("t2", "t5");
        assertThat(ids(repository.findByNoteIsNotNull())).containsExactlyInAnyOrder("t1", "t3", "t4");
        // t5 has no holder at all, so its holder.fid is null too.
        assertThat(ids(repository.findByHolderFidIsNull())).containsExactlyInAnyOrder("t4", "t5");
    }

    @Test
    void trueAndFalse() {
        assertThat(ids(repository.findByActiveTrue())).containsExactlyInAnyOrder("t1", "t3", "t5");
        assertThat(ids(repository.findByActiveFalse())).containsExactlyInAnyOrder("t2", "t4");
    }

    @Test
    void likeTakesSqlPatterns() {
        assertThat(ids(repository.findByNameLike("%a"))).containsExactlyInAnyOrder("t1", "t2", "t4");
        assertThat(ids(repository.findByNameLike("_eta"))).containsExactly("t2");
        assertThat(ids(repository.findByNameNotLikeIgnoreCase("%A%"))).containsExactly("t5");
        assertThat(ids(repository.findByNoteLike("100\\%\\_%"))).containsExactly("t4");
        assertThat(repository.findByNoteLike("100\\%x%")).isEmpty();
    }

    @Test
    void containingStartingAndEndingWith() {
        assertThat(ids(repository.findByNameContaining("mm"))).containsExactly("t3");
        assertThat(ids(repository.findByNameContainingIgnoreCase("ALP"))).containsExactly("t1");
        assertThat(ids(repository.findByNameNotContaining("a"))).containsExactly("t5");
        assertThat(ids(repository.findByNameStartingWith("Ep"))).containsExactly("t5");
        assertThat(ids(repository.findByNameEndingWithIgnoreCase("RAY"))).containsExactly("t3");
    }

    @Test
    void collectionContainingAndEmptiness() {
        assertThat(ids(repository.findByTagsContaining("red"))).containsExactlyInAnyOrder("t1", "t5");
        assertThat(ids(repository.findByTagsIsEmpty())).containsExactly("t3");
        assertThat(ids(repository.findByTagsIsNotEmpty())).containsExactlyInAnyOrder("t1", "t2", "t4", "t5");
    }

    @Test
    void comparisons() {
        assertThat(ids(repository.findByAmountGreaterThan(30))).containsExactlyInAnyOrder("t4", "t5");
        assertThat(ids(repository.findByAmountGreaterThanEqual(30))).containsExactlyInAnyOrder("t3", "t4", "t5");
        assertThat(ids(repository.findByAmountLessThan(20))).containsExactly("t1");
        assertThat(ids(repository.findByAmountLessThanEqual(20))).containsExactlyInAnyOrder("t1", "t2");
        // The Integer argument is converted to the property's type, long.
        assertThat(repository.countByAmountGreaterThan(20)).isEqualTo(3);
    }

    @Test
    void instantComparisons() {
        assertThat(ids(repository.findByIssuedAtBefore(FEB))).containsExactly("t1");
        assertThat(ids(repository.findByIssuedAtAfter(APR))).containsExactly("t5");
        assertThat(ids(repository.findByIssuedAtBetween(FEB, APR))).containsExactlyInAnyOrder("t2", "t3", "t4");
    }

    @Test
    void ignoreCaseAndRegex() {
        assertThat(ids(repository.findByNameIgnoreCase("ALPHA"))).containsExactly("t1");
        assertThat(ids(repository.findByNameRegex("^[A-Z]"))).containsExactlyInAnyOrder("t1", "t3", "t5");
        assertThat(ids(repository.findByHolderAddressStartingWithAllIgnoreCase("0xa"))).containsExactlyInAnyOrder("t1",
                "t3");
    }

    @Test
    void andOr() {
        assertThat(ids(repository.findByHolderAddressAndActiveTrue("0xAAA"))).containsExactlyInAnyOrder("t1", "t3");
        assertThat(ids(repository.findByHolderAddressOrAmountGreaterThan("0xBBB", 40))).containsExactlyInAnyOrder("t2",
                "t5");
    }

    @Test
    void orderByFirstTopSortAndLimit() {
        assertThat(ids(repository.findByActiveTrueOrderByAmountDesc())).containsExactly("t5", "t3", "t1");
        assertThat(repository.findFirstByOrderByIssuedAtDesc()).map(JsonToken::id).contains("t5");
        assertThat(ids(repository.findTop2ByActiveTrueOrderByAmountAsc())).containsExactly("t1", "t3");
        assertThat(ids(repository.findByActiveTrue(Sort.by(Sort.Direction.DESC, "issuedAt")))).containsExactly("t5",
                "t3", "t1");
        assertThat(ids(repository.findByActiveTrue(Limit.of(2), Sort.by("name")))).containsExactly("t1", "t5");
    }

    @Test
    void singleResults() {
        assertThat(repository.findByName("beta").id()).isEqualTo("t2");
        assertThat(repository.findByName("nobody")).isNull();
        assertThatThrownBy(() -> repository.findOneByHolderAddress("0xAAA"))
            .isInstanceOf(IncorrectResultSizeDataAccessException.class);
        assertThat(repository.findOneByHolderAddress("0xBBB")).map(JsonToken::id).contains("t2");
    }

    @Test
    void streamsAndOtherCollectionTypes() {
        try (Stream<JsonToken> active = repository.streamByActiveTrue()) {
            assertThat(active.map(JsonToken::id)).containsExactlyInAnyOrder("t1", "t3", "t5");
        }
        try (Stream<JsonToken> sorted = repository.streamByActiveTrueOrderByAmountDesc()) {
            assertThat(sorted.map(JsonToken::id)).containsExactly("t5", "t3", "t1");
        }
        assertThat(ids(repository.readByActiveFalse())).containsExactlyInAnyOrder("t2", "t4");
        assertThat(ids(repository.queryByActiveTrue())).containsExactlyInAnyOrder("t1", "t3", "t5");
    }

    @Test
    void existsAndCount() {
        assertThat(repository.existsByHolderAddress("0xCCC")).isTrue();
        assertThat(repository.existsByHolderAddress("0xDDD")).isFalse();
        assertThat(repository.countByActiveTrue()).isEqualTo(3);
    }

    @Test
    void derivedDeleteReturnsTheDeletedEntities() {
        List<JsonToken> deleted = repository.deleteByActiveFalse();

        assertThat(ids(deleted)).containsExactlyInAnyOrder("t2", "t4");
        assertThat(ids(repository.findAll())).containsExactlyInAnyOrder("t1", "t3", "t5");
    }

    @Test
    void derivedDeleteReturnsTheCountOrNothing() {
        assertThat(repository.deleteByHolderAddress("0xAAA")).isEqualTo(2);
        repository.removeByName("beta");

        assertThat(ids(repository.findAll())).containsExactlyInAnyOrder("t4", "t5");
    }

}
