package dev.dualwrite.verify;

import java.math.BigDecimal;
import java.security.Principal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.autoconfigure.verify.DualWriteVerifyEndpoint;
import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.Difference;
import dev.dualwrite.core.verify.DifferenceKind;
import dev.dualwrite.core.verify.PostgresComparison;
import dev.dualwrite.core.verify.ReportRepair;
import dev.dualwrite.core.verify.ReportRepair.Action;
import dev.dualwrite.core.verify.ReportRepair.RepairOutcome;
import dev.dualwrite.core.verify.VerificationProgress;
import dev.dualwrite.core.verify.VerificationProgress.Phase;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.VerificationRuns;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyMode;
import dev.dualwrite.core.verify.VerifyOptions;
import dev.dualwrite.verify.app.ParityCounter;
import dev.dualwrite.verify.app.ParityJsonApplication;
import dev.dualwrite.verify.app.ParityToken;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The verifier against the real servers, on the JSON-string shape: what counts as a
 * difference and what does not, sampled and counts-only modes, reports with and without
 * values, repair from a report with a dry run, and the actuator endpoint's runs.
 */
@DirtiesContext
@SpringBootTest(classes = ParityJsonApplication.class,
        properties = { "spring.flyway.locations=classpath:db/parity/verify", "dual-write.repair.enabled=false",
                "management.endpoints.web.exposure.include=dualwriteverify" })
class VerifierTests {

    private static final String REPOSITORY = "parity_tokens";

    private static final String COUNTERS = "parity_counters";

    private static final Instant MINTED = Instant.parse("2024-05-01T10:00:00.123456Z");

    // Both entities' prefixes start with this one.
    private static final ContractStores stores = ContractStores.start(VerifierTests.class, "dwtest:parity:verify:");

    @Autowired
    private Verifier verifier;

    @Autowired
    private Backfill backfill;

    @Autowired
    private ReportRepair repair;

    @Autowired
    private DualRepositoryRegistry registry;

    @Autowired
    private StrategySource strategies;

    @Autowired
    private DualWriteVerifyEndpoint endpoint;

    @Autowired
    private VerificationRuns runs;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        stores.register(registry);
    }

    @AfterAll
    static void cleanUp() {
        stores.clear(List.of(REPOSITORY, COUNTERS), List.of(REPOSITORY, COUNTERS));
        stores.close();
    }

    @BeforeEach
    void clean() {
        stores.clear(List.of(REPOSITORY, COUNTERS), List.of(REPOSITORY, COUNTERS));
        this.strategies.change(REPOSITORY, WriteStrategy.DUAL, true);
    }

    @Test
    void representationDetailsAreNoDifference() {
        // Other key order, other decimal scale, nanoseconds PostgreSQL cannot keep.
        putJson("a", "{\"quantity\":3,\"mintedAt\":\"2024-05-01T10:00:00.123456789Z\",\"amount\":1.5,"
                + "\"holder\":\"Ann\",\"id\":\"a\"}");
        // As the JDBC driver stores it: rounded to the microsecond, half up.
        putRow("a", "Ann", "1.500000", Instant.parse("2024-05-01T10:00:00.123457Z"), 3);
        VerificationReport report = this.verifier.verify(pair(), VerifyOptions.full());
        assertThat(report.agree()).as(report.summary()).isTrue();
        assertThat(report.compared()).isEqualTo(1);
        assertThat(report.redisKeys()).isEqualTo(1);
        assertThat(report.postgresRows()).isEqualTo(1);
    }

    @Test
    void everyKindOfDifferenceIsReportedWithKeyKindAndFields() {
        putToken("same", "Sam", "2", 1);
        putRow("same", "Sam", "2", MINTED, 1);
        putToken("redis-only", "Rita", "1", 1);
        putRow("pg-only", "Paul", "1", MINTED, 1);
        putToken("changed", "Carl", "1", 1);
        putRow("changed", "Carla", "1", MINTED, 2);
        putJson("broken", "{not json");

        VerificationReport report = this.verifier.verify(pair(), VerifyOptions.full());

        assertThat(report.agree()).isFalse();
        assertThat(report.counts()).containsEntry(DifferenceKind.ONLY_IN_REDIS, 1L)
            .containsEntry(DifferenceKind.ONLY_IN_POSTGRES, 1L)
            .containsEntry(DifferenceKind.CONTENT, 1L)
            .containsEntry(DifferenceKind.UNREADABLE_IN_REDIS, 1L);
        assertThat(report.differences()).extracting(Difference::key, Difference::kind)
            .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("redis-only", DifferenceKind.ONLY_IN_REDIS),
                    org.assertj.core.groups.Tuple.tuple("pg-only", DifferenceKind.ONLY_IN_POSTGRES),
                    org.assertj.core.groups.Tuple.tuple("changed", DifferenceKind.CONTENT),
                    org.assertj.core.groups.Tuple.tuple("broken", DifferenceKind.UNREADABLE_IN_REDIS));
        Difference changed = report.differences().stream().filter((d) -> d.key().equals("changed")).findFirst().get();
        assertThat(changed.fields()).containsExactlyInAnyOrder("holder", "quantity");
        assertThat(changed.values()).as("no values unless asked for").isNull();
        assertThat(report.summary()).doesNotContain("Carl");
    }

    @Test
    void postgresqlComparesTheRowsItHoldsAndOnlyThoseThatMayDifferAreComparedHere() {
        putToken("same-1", "Sam", "2", 1);
        putRow("same-1", "Sam", "2.00", MINTED, 1);
        putToken("same-2", "Sue", "3", 2);
        putRow("same-2", "Sue", "3", MINTED, 2);
        putToken("changed", "Carl", "1", 1);
        putRow("changed", "Carla", "1", MINTED, 2);
        putToken("redis-only", "Rita", "1", 1);
        // The comparison the auto-configuration set, through the backfill's writers; recorded here.
        PostgresComparison writers = this.backfill.postgresComparison();
        List<Set<String>> asked = new CopyOnWriteArrayList<>();
        List<Set<String>> answered = new CopyOnWriteArrayList<>();
        this.verifier.setPostgresComparison((repository) -> {
            PostgresComparison.Batches batches = writers.of(repository);
            return (batches == null) ? null : (rows) -> {
                asked.add(Set.copyOf(rows.keySet()));
                Set<String> answer = batches.keysToCompare(rows);
                answered.add(answer);
                return answer;
            };
        });
        VerificationReport report;
        try {
            report = this.verifier.verify(pair(), VerifyOptions.full());
        }
        finally {
            this.verifier.setPostgresComparison(writers);
        }

        assertThat(asked).containsExactly(Set.of("same-1", "same-2", "changed", "redis-only"));
        assertThat(answered).containsExactly(Set.of("changed", "redis-only"));
        assertThat(report.compared()).isEqualTo(3);
        assertThat(report.differences()).extracting(Difference::key, Difference::kind)
            .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("changed", DifferenceKind.CONTENT),
                    org.assertj.core.groups.Tuple.tuple("redis-only", DifferenceKind.ONLY_IN_REDIS));
        assertThat(report.differences().stream().filter((d) -> d.key().equals("changed")).findFirst().get().fields())
            .containsExactlyInAnyOrder("holder", "quantity");
    }

    @Test
    void aKeyThatNamesNoIdIsUnreadableAndTheRunCompletes() {
        this.strategies.change(COUNTERS, WriteStrategy.DUAL, true);
        stores.redis().opsForValue().set(ParityCounter.PREFIX + "7", "{\"id\":7,\"label\":\"seven\"}");
        stores.postgres().update("insert into " + COUNTERS + " (id, label) values (7, 'seven')");
        // The ids are numbers: this key's suffix converts to none.
        stores.redis().opsForValue().set(ParityCounter.PREFIX + "seven", "{\"label\":\"seven\"}");

        VerificationReport report = this.verifier.verify(Verifier.find(this.registry::all, COUNTERS),
                VerifyOptions.full());

        assertThat(report.error()).as(report.summary()).isNull();
        assertThat(report.redisKeys()).isEqualTo(2);
        assertThat(report.compared()).isEqualTo(1);
        assertThat(report.differences()).singleElement().satisfies((difference) -> {
            assertThat(difference.key()).isEqualTo(ParityCounter.PREFIX + "seven");
            assertThat(difference.kind()).isEqualTo(DifferenceKind.UNREADABLE_IN_REDIS);
            assertThat(difference.problem()).contains("cannot be converted to the id type java.lang.Long");
        });
    }

    @Test
    void valuesAreInTheReportOnlyWhenAskedFor() {
        putToken("changed", "Carl", "1", 1);
        putRow("changed", "Carla", "1", MINTED, 1);
        VerificationReport report = this.verifier.verify(pair(), VerifyOptions.full().withValues(true));
        assertThat(report.differences().get(0).values()).containsOnlyKeys("holder");
        assertThat(report.differences().get(0).values().get("holder").redis()).isEqualTo("Carl");
        assertThat(report.differences().get(0).values().get("holder").postgres()).isEqualTo("Carla");
    }

    @Test
    void sampledModesCompareTheSameShareOfKeysInBothStores() {
        for (int i = 0; i < 400; i++) {
            putToken("k" + i, "H" + i, "1", 1);
            putRow("k" + i, (i % 2 == 0) ? "H" + i : "Other", "1", MINTED, 1);
        }
        VerificationReport half = this.verifier.verify(pair(), VerifyOptions.samplePercent(50).withBatchSize(50));
        assertThat(half.mode()).isEqualTo(VerifyMode.SAMPLED);
        assertThat(half.redisKeys()).isBetween(140L, 260L);
        assertThat(half.postgresRows()).isEqualTo(half.redisKeys());
        assertThat(half.counts().get(DifferenceKind.CONTENT)).isBetween(50L, 150L);
        assertThat(half.counts().get(DifferenceKind.ONLY_IN_POSTGRES)).isZero();

        VerificationReport count = this.verifier.verify(pair(), VerifyOptions.sampleCount(40).withBatchSize(20));
        assertThat(count.compared()).isBetween(20L, 80L);
    }

    @Test
    void countsOnlyComparesSizes() {
        putToken("a", "A", "1", 1);
        putToken("b", "B", "1", 1);
        putRow("a", "Changed", "1", MINTED, 1);
        VerificationReport report = this.verifier.verify(pair(), VerifyOptions.countsOnly());
        assertThat(report.redisKeys()).isEqualTo(2);
        assertThat(report.postgresRows()).isEqualTo(1);
        assertThat(report.agree()).isFalse();
        putRow("b", "B", "1", MINTED, 1);
        assertThat(this.verifier.verify(pair(), VerifyOptions.countsOnly()).agree()).isTrue();
    }

    @Test
    void progressIsReportedUntilDone() {
        for (int i = 0; i < 120; i++) {
            putToken("k" + i, "H", "1", 1);
            putRow("k" + i, "H", "1", MINTED, 1);
        }
        List<VerificationProgress> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        this.verifier.verify(pair(), VerifyOptions.full().withBatchSize(25), seen::add);
        assertThat(seen).extracting(VerificationProgress::phase).contains(Phase.REDIS, Phase.POSTGRES, Phase.DONE);
        assertThat(seen.get(seen.size() - 1).fraction()).isEqualTo(1.0);
        assertThat(seen.get(seen.size() - 1).redisKeys()).isEqualTo(120);
    }

    @Test
    void repairFromAReportFixesExactlyItsKeysFromTheCurrentPrimary() {
        putToken("redis-only", "Rita", "1", 1);
        putRow("pg-only", "Paul", "1", MINTED, 1);
        putToken("changed", "Carl", "1", 1);
        putRow("changed", "Carla", "1", MINTED, 1);
        VerificationReport report = this.verifier.verify(pair(), VerifyOptions.full());
        // A difference that appears after the report is not the repair's business.
        putToken("later", "Lea", "1", 1);

        RepairOutcome dryRun = this.repair.repair(pair(), report, true);
        assertThat(dryRun.keys()).extracting(ReportRepair.KeyRepair::key, ReportRepair.KeyRepair::action)
            .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("redis-only", Action.UPSERT_POSTGRES),
                    org.assertj.core.groups.Tuple.tuple("pg-only", Action.DELETE_FROM_POSTGRES),
                    org.assertj.core.groups.Tuple.tuple("changed", Action.UPSERT_POSTGRES));
        assertThat(this.verifier.verify(pair(), VerifyOptions.full()).differenceCount()).isEqualTo(4);

        RepairOutcome done = this.repair.repair(pair(), report, false);
        assertThat(done.counts()).containsEntry(Action.FAILED, 0L);
        VerificationReport after = this.verifier.verify(pair(), VerifyOptions.full());
        assertThat(after.differences()).extracting(Difference::key).containsExactly("later");

        // In POSTGRES_PRIMARY, PostgreSQL is authoritative: Redis follows it.
        this.strategies.change(REPOSITORY, WriteStrategy.POSTGRES_PRIMARY, true);
        RepairOutcome toRedis = this.repair.repair(pair(), after, false);
        assertThat(toRedis.keys()).extracting(ReportRepair.KeyRepair::action).containsExactly(Action.DELETE_FROM_REDIS);
        assertThat(this.verifier.verify(pair(), VerifyOptions.full()).agree()).isTrue();
    }

    @Test
    void theEndpointRunsVerificationsServesReportsAndRepairs() {
        putToken("redis-only", "Rita", "1", 1);
        Principal operator = () -> "operator";
        assertThatExceptionOfType(InvalidEndpointRequestException.class)
            .isThrownBy(() -> this.endpoint.start(REPOSITORY, null, null, null, null, null));
        assertThat(this.endpoint.start("nope", null, null, null, null, operator)).isNull();

        VerificationRuns.RunStatus started = this.endpoint.start(REPOSITORY, null, null, null, null, operator);
        assertThat(started.startedBy()).isEqualTo("operator");
        await().atMost(Duration.ofSeconds(30))
            .until(() -> this.endpoint.run(started.id()).state() == VerificationRuns.State.DONE);
        assertThat(this.endpoint.run(started.id()).agree()).isFalse();
        VerificationReport report = this.endpoint.report(started.id(), "report");
        assertThat(report.differences()).extracting(Difference::key).containsExactly("redis-only");
        assertThat(this.endpoint.runs()).extracting(VerificationRuns.RunStatus::id).contains(started.id());

        assertThatExceptionOfType(InvalidEndpointRequestException.class)
            .isThrownBy(() -> this.endpoint.repair(started.id(), false, null));
        assertThat(this.endpoint.repair(started.id(), null, operator).dryRun()).isTrue();
        assertThat(this.verifier.verify(pair(), VerifyOptions.full()).agree()).isFalse();
        assertThat(this.endpoint.repair(started.id(), false, operator).counts()).containsEntry(Action.UPSERT_POSTGRES,
                1L);
        assertThat(this.verifier.verify(pair(), VerifyOptions.full()).agree()).isTrue();
    }

    private DualRepository<?, ?, ?> pair() {
        return Verifier.find(this.registry::all, REPOSITORY);
    }

    private void putToken(String id, String holder, String amount, int quantity) {
        putJson(id, "{\"id\":\"" + id + "\",\"holder\":\"" + holder + "\",\"amount\":" + amount
                + ",\"mintedAt\":\"" + MINTED + "\",\"quantity\":" + quantity + "}");
    }

    private void putJson(String id, String json) {
        stores.redis().opsForValue().set(ParityToken.PREFIX + id, json);
    }

    private void putRow(String id, String holder, String amount, Instant minted, int quantity) {
        stores.postgres()
            .update("insert into " + REPOSITORY + " (id, holder, amount, minted_at, quantity) values (?, ?, ?, ?, ?)",
                    id, holder, new BigDecimal(amount), Timestamp.from(minted), quantity);
    }

}
