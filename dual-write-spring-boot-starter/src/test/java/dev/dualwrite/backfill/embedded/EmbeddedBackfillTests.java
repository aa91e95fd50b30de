package dev.dualwrite.backfill.embedded;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.dualwrite.backfill.embedded.Subscriber.Address;
import dev.dualwrite.backfill.embedded.Subscriber.Money;
import dev.dualwrite.backfill.embedded.Subscriber.Plan;
import dev.dualwrite.backfill.embedded.Subscriber.Tier;
import dev.dualwrite.backfill.embedded.redis.SubscriberRepository;
import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.backfill.BackfillJobReport;
import dev.dualwrite.core.backfill.BackfillReport;
import dev.dualwrite.core.backfill.BackfillState;
import dev.dualwrite.core.backfill.BackfillWriterProbe;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TestSchema;
import dev.dualwrite.testsupport.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Entities with embedded value objects ({@link Subscriber}) against the real servers: the
 * backfill copies them with COPY, not row by row, and writes each column as Spring Data JDBC's
 * own insert does (as do the multi-row statements that take over from COPY where it cannot be
 * used); live writes store them as Spring Data JDBC reads them back.
 */
@DirtiesContext
@SpringBootTest(classes = EmbeddedBackfillHostApplication.class)
class EmbeddedBackfillTests {

    private static final String SUBSCRIBERS = "backfill_subscribers";

    private static final int ROWS = 1_000;

    // PostgresBatchWriter's switch from COPY to multi-row statements, as the benchmark uses it.
    private static final String MULTI_ROW_INSERT = "dualwrite.backfill.multi-row-insert";

    private static final TestSchema schema = TestSchema.create(EmbeddedBackfillTests.class);

    private final JdbcTemplate postgres = new JdbcTemplate(schema.dataSource());

    @Autowired
    private Backfill backfill;

    @Autowired
    private StrategySource strategies;

    @Autowired
    private SubscriberRepository subscribers;

    @Autowired
    private JdbcAggregateOperations aggregates;

    @Autowired
    private StringRedisTemplate redis;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        PostgresServer postgres = schema.server();
        RedisServer redis = TestServers.redis();
        registry.add("spring.datasource.url", schema::jdbcUrl);
        registry.add("spring.datasource.username", postgres::username);
        registry.add("spring.datasource.password", postgres::password);
        registry.add("spring.flyway.locations", () -> "classpath:db/backfill-embedded");
        registry.add("spring.flyway.schemas", schema::name);
        registry.add("spring.data.redis.host", redis::host);
        registry.add("spring.data.redis.port", redis::port);
        registry.add("dual-write.secondary.timeout", () -> "10s");
        registry.add("dual-write.control.in-flight-grace", () -> "15s");
    }

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @BeforeEach
    @AfterEach
    void clean() {
        this.postgres.update("delete from backfill_subscribers");
        this.postgres.update("delete from dualwrite_backfill_checkpoint");
        this.postgres.update("delete from dualwrite_backfill_reject");
        this.postgres.update("delete from dualwrite_repair");
        List<String> keys = new ArrayList<>();
        try (Cursor<String> cursor = this.redis.scan(ScanOptions.scanOptions().match(Subscriber.KEYSPACE + "*")
            .count(1000)
            .build())) {
            cursor.forEachRemaining(keys::add);
        }
        keys.add("dualwrite:repair:{" + SUBSCRIBERS + "}");
        keys.add("dualwrite:intent:{" + SUBSCRIBERS + "}");
        this.redis.unlink(keys);
    }

    @Test
    void backfillCopiesEmbeddedPropertiesWithCopyAsSpringDataJdbcsOwnInsertWritesThem() {
        Map<String, Subscriber> inRedis = seedRedis(ROWS);
        long copiedBefore = BackfillWriterProbe.rowsCopied(this.backfill, SUBSCRIBERS);
        long oneByOneBefore = BackfillWriterProbe.rowsInsertedOneByOne(this.backfill, SUBSCRIBERS);

        BackfillReport report = backfill(ROWS);

        long copied = BackfillWriterProbe.rowsCopied(this.backfill, SUBSCRIBERS) - copiedBefore;
        long oneByOne = BackfillWriterProbe.rowsInsertedOneByOne(this.backfill, SUBSCRIBERS) - oneByOneBefore;
        System.out.printf("embedded backfill: %,d rows at %,.0f rows/s; inserted with COPY %,d, one by one %,d%n",
                report.rowsWritten(), report.rowsPerSecond(), copied, oneByOne);
        // Batches of 100 rows are all large enough for COPY; none falls back to Spring Data JDBC row by row.
        assertThat(copied).isEqualTo(ROWS);
        assertThat(oneByOne).isZero();
        assertWrittenAsSpringDataJdbcWrites(inRedis);
    }

    @Test
    void backfillWritesEmbeddedPropertiesWithMultiRowStatementsAsSpringDataJdbcsOwnInsertWritesThem() {
        // The statements that take over from COPY for small batches and values COPY is not written for.
        Map<String, Subscriber> inRedis = seedRedis(ROWS / 4);
        long byStatementsBefore = BackfillWriterProbe.rowsInsertedByMultiRowStatements(this.backfill, SUBSCRIBERS);
        System.setProperty(MULTI_ROW_INSERT, "true");
        try {
            backfill(ROWS / 4);
        }
        finally {
            System.clearProperty(MULTI_ROW_INSERT);
        }

        assertThat(BackfillWriterProbe.rowsInsertedByMultiRowStatements(this.backfill, SUBSCRIBERS))
            .isEqualTo(byStatementsBefore + ROWS / 4);
        assertWrittenAsSpringDataJdbcWrites(inRedis);
    }

    @Test
    void liveWritesStoreEmbeddedPropertiesAsSpringDataJdbcReadsThem() {
        Map<String, Subscriber> expected = new TreeMap<>();
        this.strategies.change(SUBSCRIBERS, WriteStrategy.DUAL, true);
        List<Subscriber> written = subscribers(30);
        this.subscribers.saveAll(written);
        // An update that empties every embedded object of a row that has them all: their
        // columns are cleared, not left as they were.
        Subscriber full = written.get(7);
        assertThat(full.home()).isNotNull();
        assertThat(full.work()).isNotNull();
        assertThat(full.plan()).isNotNull();
        await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(this.aggregates.findById(full.id(), Subscriber.class)).isEqualTo(full));
        Subscriber moved = new Subscriber(full.id(), full.name(), null, null, null, full.since());
        this.subscribers.save(moved);
        written.set(7, moved);
        written.forEach((subscriber) -> expected.put(subscriber.id(), subscriber.asReadFromPostgres()));
        // PostgreSQL is written first at this stage.
        this.strategies.change(SUBSCRIBERS, WriteStrategy.POSTGRES_PRIMARY, true);
        Subscriber primary = subscriber(ROWS + 1);
        this.subscribers.save(primary);
        expected.put(primary.id(), primary.asReadFromPostgres());

        await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(byId(this.aggregates.findAll(Subscriber.class))).isEqualTo(expected));
        assertThat(this.postgres.queryForMap("select home_street, home_postcode, work_city, tier, price_amount, renews "
                + "from backfill_subscribers where id = ?", moved.id()))
            .hasSize(6)
            .allSatisfy((column, value) -> assertThat(value).as(column).isNull());
    }

    /** Save subscribers through the repository while it writes Redis only, and return them as Redis reads them. */
    private Map<String, Subscriber> seedRedis(int count) {
        this.strategies.change(SUBSCRIBERS, WriteStrategy.REDIS_PRIMARY, true);
        this.subscribers.saveAll(subscribers(count));
        Map<String, Subscriber> inRedis = byId(this.subscribers.findAll());
        assertThat(inRedis).hasSize(count);
        this.strategies.change(SUBSCRIBERS, WriteStrategy.DUAL, false);
        return inRedis;
    }

    private BackfillReport backfill(int rows) {
        BackfillReport report = single(this.backfill.run(List.of(SUBSCRIBERS),
                this.backfill.defaults().withBatchSize(100).withRetries(3, Duration.ofMillis(50))));
        assertThat(report.state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(report.rowsWritten()).isEqualTo(rows);
        assertThat(report.rowsRejected()).isZero();
        return report;
    }

    private void assertWrittenAsSpringDataJdbcWrites(Map<String, Subscriber> inRedis) {
        // What Spring Data JDBC reads back is what Redis holds, null embedded objects included.
        Map<String, Subscriber> expected = new TreeMap<>();
        inRedis.forEach((id, subscriber) -> expected.put(id, subscriber.asReadFromPostgres()));
        assertThat(byId(this.aggregates.findAll(Subscriber.class))).isEqualTo(expected);
        assertThat(this.postgres.queryForObject("select count(*) from backfill_subscribers where home_street is null "
                + "and home_city is null and home_postcode is null", Long.class))
            .isEqualTo(inRedis.values().stream().filter((subscriber) -> subscriber.home() == null).count())
            .isPositive();

        // And every column holds exactly what Spring Data JDBC's own insert of the same entities writes.
        Map<String, String> backfilled = rowsAsJson();
        this.postgres.update("delete from backfill_subscribers");
        this.aggregates.insertAll(inRedis.values());
        assertThat(backfilled).isEqualTo(rowsAsJson()).hasSize(inRedis.size());
    }

    /** Every kind of value: null and present embedded objects at each level, and text COPY must escape. */
    private static List<Subscriber> subscribers(int count) {
        List<Subscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            subscribers.add(subscriber(i));
        }
        return subscribers;
    }

    private static Subscriber subscriber(int i) {
        String name = (i % 7 == 0) ? "tab\there, new\nline, back\\slash, ünïcødé " + i : "subscriber " + i;
        Address home = (i % 3 == 0) ? null
                : new Address((i % 5 == 0) ? "1\tRue \\ du\r\nPort" : i + " Main Street", (i % 4 == 0) ? null : "Lyon",
                        "P" + i);
        Address work = (i % 2 == 0) ? null : new Address("Office " + i, "Paris", (i % 9 == 0) ? null : "75" + i);
        Plan plan = (i % 5 == 1) ? null
                : new Plan(Tier.values()[i % 3], (i % 4 == 1) ? null : new Money(new BigDecimal(i + ".99"), "EUR"),
                        (i % 6 == 0) ? null : LocalDate.of(2026, 1, 1).plusDays(i));
        return new Subscriber("sub-" + i, name, home, work, plan,
                Instant.parse("2025-03-01T08:00:00Z").plusSeconds(i * 3_607L).plusNanos(i * 1_000L));
    }

    private static Map<String, Subscriber> byId(Iterable<Subscriber> subscribers) {
        Map<String, Subscriber> byId = new TreeMap<>();
        subscribers.forEach((subscriber) -> byId.put(subscriber.id(), subscriber));
        return byId;
    }

    /** Each row with all its columns, as PostgreSQL renders the row in JSON. */
    private Map<String, String> rowsAsJson() {
        Map<String, String> rows = new TreeMap<>();
        this.postgres.query("select id, to_jsonb(s)::text from backfill_subscribers s",
                (RowCallbackHandler) (rs) -> rows.put(rs.getString(1), rs.getString(2)));
        return rows;
    }

    private static BackfillReport single(BackfillJobReport report) {
        assertThat(report.reports()).hasSize(1);
        return report.reports().get(0);
    }

}
