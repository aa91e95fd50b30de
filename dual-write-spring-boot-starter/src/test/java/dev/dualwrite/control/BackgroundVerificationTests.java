package dev.dualwrite.control;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.dualwrite.autoconfigure.health.DualWriteHealthIndicator;
import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.control.app.Ticket;
import dev.dualwrite.core.backfill.BackfillReport;
import dev.dualwrite.core.backfill.BackfillState;
import dev.dualwrite.core.control.StageMove;
import dev.dualwrite.core.strategy.GateCheck;
import dev.dualwrite.core.strategy.StrategyChange;
import dev.dualwrite.core.strategy.StrategyChangeException;
import dev.dualwrite.core.verify.BackgroundVerifier;
import dev.dualwrite.core.verify.Difference;
import dev.dualwrite.core.verify.DifferenceKind;
import dev.dualwrite.core.verify.ReportRepair;
import dev.dualwrite.core.verify.ReportRepair.Action;
import dev.dualwrite.core.verify.VerificationProgress;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.VerificationRuns;
import dev.dualwrite.core.verify.VerificationRuns.RunStatus;
import dev.dualwrite.core.verify.VerificationRuns.State;
import dev.dualwrite.core.verify.VerificationStore;
import dev.dualwrite.core.verify.VerifyOptions;
import dev.dualwrite.testsupport.TestKeyPrefix;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.dualwrite.core.strategy.WriteStrategy.DUAL;
import static dev.dualwrite.core.strategy.WriteStrategy.POSTGRES_PRIMARY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Verification reports kept in PostgreSQL, and the background verifier, with instances of one
 * service (Spring contexts sharing both servers): a report outlives the instance that made it
 * and its clean verification opens the promotion gate on another; the background verifier
 * finds differences planted directly in one store, shows them in its gauges, queues them for
 * repair when asked (never under a stage the pass did not run in), and its next clean pass
 * opens the gate, unless a newer verification found differences; two instances never run a
 * pass of one repository at once, a short lease is renewed through a slow pass, and a stopped
 * instance abandons its pass and hands the repository over at once.
 * <p>
 * Memory is not measured here: a pass is a {@code Verifier} run (a scan cursor, a few batches
 * in flight, at most {@code max-differences} differences held), the same code whose memory
 * {@code VerifierBenchmarkTests} covers.
 */
class BackgroundVerificationTests {

    private static final String PREFIX = TestKeyPrefix.create(BackgroundVerificationTests.class).prefix();

    private static final ContractStores stores = ContractStores.start(BackgroundVerificationTests.class, PREFIX);

    private static final Map<String, String> SETTINGS = Map.of("dual-write.control.instance-timeout", "5s");

    private static final String[] BACKGROUND = { "dual-write.verify.background.enabled=true",
            "dual-write.verify.background.pause=300ms", "dual-write.verify.background.batch-size=50",
            "dual-write.verify.settle-delay=50ms" };

    private TicketService service;

    @BeforeEach
    void newService() {
        this.service = new TicketService(stores, PREFIX, SETTINGS);
    }

    @AfterEach
    void stopService() {
        this.service.close();
    }

    @AfterAll
    static void cleanUp() {
        stores.close();
    }

    @Test
    void aStoredReportOutlivesItsInstanceAndItsCleanVerificationOpensTheGateOnAnother() {
        TicketInstance a = this.service.start("a");
        a.tickets().saveAll(tickets(200));
        move(a, a);
        backfill(a);
        stores.postgres().update("update control_tickets set owner = 'planted' where id = 't7'");
        VerificationReport differ = a.verifier().verify(a.pair(), VerifyOptions.full(), (progress) -> {
        }, "operator");
        String differId = newest(a).id();
        this.service.stop(a);

        TicketInstance b = this.service.start("b");
        try (VerificationRuns runs = new VerificationRuns(b.verifier(), 10)) {
            RunStatus status = runs.status(differId).orElseThrow();
            assertThat(status.state()).isEqualTo(State.DONE);
            assertThat(status.startedBy()).isEqualTo("operator");
            assertThat(status.agree()).isFalse();
            assertThat(status.differences()).isEqualTo(1);
            assertThat(runs.all()).extracting(RunStatus::id).contains(differId);
            VerificationReport stored = runs.report(differId).orElseThrow();
            assertThat(stored.differences()).extracting(Difference::key, Difference::kind, Difference::fields)
                .containsExactly(tuple("t7", DifferenceKind.CONTENT, List.of("owner")));
            assertThat(stored.counts()).isEqualTo(differ.counts());
            assertThat(stored.redisKeys()).isEqualTo(200);
            assertThat(stored.postgresRows()).isEqualTo(200);
            // The stored summary is the one logged; a report read back times to the microsecond.
            assertThat(status.summary()).isEqualTo(differ.summary());
            print("report %s read back on a new instance: %s", differId, stored.summary());

            // The endpoint's repair path, from the report read back.
            ReportRepair.RepairOutcome repaired = b.context()
                .getBean(ReportRepair.class)
                .repair(b.pair(), stored, false, "operator");
            assertThat(repaired.counts()).containsEntry(Action.UPSERT_POSTGRES, 1L);
        }
        VerificationReport clean = b.verifier().verify(b.pair(), VerifyOptions.full(), (progress) -> {
        }, "operator");
        assertThat(clean.agree()).as(clean.summary()).isTrue();
        String cleanId = newest(b).id();
        this.service.stop(b);

        TicketInstance c = this.service.start("c");
        StrategyChange change = c.controlPlane()
            .move(StageMove.of(this.service.repository(), POSTGRES_PRIMARY, "operator", "after a restart"));
        assertThat(change.forced()).isFalse();
        GateCheck verification = gate(change, "verification");
        assertThat(verification.passed()).isTrue();
        assertThat(verification.detail()).contains("by 'operator'").contains("report " + cleanId);
        print("gate on a third instance: %s", verification);
    }

    @Test
    void theBackgroundVerifierFindsPlantedDifferencesQueuesThemWhenAskedAndItsCleanPassOpensTheGate() {
        TicketInstance a = this.service.start("a", BACKGROUND);
        a.tickets().saveAll(tickets(300));
        move(a, a);
        backfill(a);
        stores.postgres().update("update control_tickets set owner = 'planted' where id in ('t1', 't2', 't3')");
        stores.postgres().update("delete from control_tickets where id in ('t4', 't5')");
        stores.postgres().update("insert into control_tickets (id, owner, version) values ('ghost', 'planted', 1)");
        stores.redis().opsForValue().set(this.service.keyPrefix() + "t6", "{\"id\":\"t6\",\"owner\":\"planted\",\"version\":9}");
        // Taken once everything is planted: a pass that started in between could miss some.
        Instant planted = Instant.now();

        VerificationReport found = awaitBackgroundPass(a, planted);
        assertThat(found.differences()).extracting(Difference::key, Difference::kind)
            .containsExactlyInAnyOrder(tuple("t1", DifferenceKind.CONTENT), tuple("t2", DifferenceKind.CONTENT),
                    tuple("t3", DifferenceKind.CONTENT), tuple("t6", DifferenceKind.CONTENT),
                    tuple("t4", DifferenceKind.ONLY_IN_REDIS), tuple("t5", DifferenceKind.ONLY_IN_REDIS),
                    tuple("ghost", DifferenceKind.ONLY_IN_POSTGRES));
        // Repair is off on this instance: the differences stay, and so does the gauge.
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge(a, BackgroundVerifier.DIFFERENCES) == 7.0);
        assertThat(gauge(a, BackgroundVerifier.AGE)).isBetween(0.0, 60.0);
        Map<?, ?> repositories = (Map<?, ?>) a.context()
            .getBean(DualWriteHealthIndicator.class)
            .health()
            .getDetails()
            .get("repositories");
        Map<?, ?> shown = (Map<?, ?>) ((Map<?, ?>) repositories.get(this.service.repository()))
            .get("backgroundVerification");
        assertThat(shown.get("differences")).isEqualTo(7L);
        print("health of a: backgroundVerification %s", shown);
        assertThat(this.service.owedToPostgres()).as("nothing queued without repair-differences").isZero();
        assertThat(this.service.owedToRedis()).isZero();
        print("background pass on a: %s; gauge %s = %.0f", found.summary(), BackgroundVerifier.DIFFERENCES,
                gauge(a, BackgroundVerifier.DIFFERENCES));
        this.service.stop(a);

        List<String> withRepair = new ArrayList<>(List.of(BACKGROUND));
        withRepair.add("dual-write.verify.background.repair-differences=true");
        Instant restarted = Instant.now();
        TicketInstance b = this.service.start("b", withRepair.toArray(String[]::new));
        VerificationReport queued = awaitBackgroundPass(b, restarted);
        assertThat(queued.differenceCount()).isEqualTo(7);
        // Redis is the primary in DUAL: PostgreSQL follows it, the row only it held goes.
        await().atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(this.service.inPostgres()).isEqualTo(this.service.inRedis()));
        VerificationReport clean = awaitCleanBackgroundPass(b, Instant.now());
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge(b, BackgroundVerifier.DIFFERENCES) == 0.0);
        assertThat(this.service.inPostgres()).hasSize(300).doesNotContainKey("ghost");
        assertThat(this.service.inPostgres().get("t6").owner()).isEqualTo("planted");
        assertThat(this.service.owedToPostgres()).isZero();
        print("after repair, background pass on b: %s", clean.summary());

        StrategyChange change = b.controlPlane()
            .move(StageMove.of(this.service.repository(), POSTGRES_PRIMARY, "operator", "background pass clean"));
        assertThat(change.forced()).isFalse();
        GateCheck verification = gate(change, "verification");
        assertThat(verification.passed()).isTrue();
        assertThat(verification.detail()).contains("by '" + BackgroundVerifier.ACTOR + " on b'");
        print("gate satisfied by the background verifier: %s", verification);
    }

    @Test
    void twoInstancesNeverRunAPassOfOneRepositoryAtOnceAndAStoppedOneAbandonsItsPassAndLetsTheLeaseGo() {
        // 200 tickets: a pass reads 400 keys and rows, about 2 s at 200 a second.
        String[] throttled = { "dual-write.verify.background.enabled=true", "dual-write.verify.background.pause=0s",
                "dual-write.verify.background.batch-size=50", "dual-write.verify.background.rate=200" };
        TicketInstance a = this.service.start("a", throttled);
        TicketInstance b = this.service.start("b", throttled);
        a.tickets().saveAll(tickets(200));
        move(a, a, b);
        backfill(a);
        Instant since = Instant.now();
        a.verifier().verify(a.pair(), VerifyOptions.full(), (progress) -> {
        }, "operator");
        String operatorRun = newestOf(a, "operator").id();
        await().atMost(Duration.ofSeconds(60)).until(() -> passes(since).stream().filter(Pass::done).count() >= 3);

        // The endpoint's list keeps the operator's run although more background passes than it
        // keeps came after it.
        try (VerificationRuns runs = new VerificationRuns(b.verifier(), 2)) {
            assertThat(runs.all()).extracting(RunStatus::id).contains(operatorRun);
        }

        // The live holder: a pass of it is running and its lease has not lapsed.
        AtomicReference<String> live = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            live.set(stores.postgres()
                .queryForList("select l.holder from dualwrite_verification_lease l where l.repository = ? "
                        + "and l.expires_at > now() and exists (select 1 from dualwrite_verification v "
                        + "where v.repository = l.repository and v.background and v.state = 'RUNNING' "
                        + "and v.started_by = ? || l.holder "
                        // Started moments ago: it cannot end before the stop below.
                        + "and v.started_at > clock_timestamp() - interval '500 milliseconds')", String.class, this.service.repository(),
                        BackgroundVerifier.ACTOR + " on ")
                .stream()
                .findFirst()
                .orElse(null));
            return live.get() != null;
        });
        TicketInstance stopping = live.get().equals("a") ? a : b;
        TicketInstance other = (stopping == a) ? b : a;
        String stoppingActor = BackgroundVerifier.ACTOR + " on " + stopping;
        Instant stopped = Instant.now();
        this.service.stop(stopping);

        // Its pass ended as abandoned, and its lease is no longer its own (let go, or taken).
        Pass abandoned = passes(since).stream()
            .filter((pass) -> pass.by().equals(stoppingActor))
            .reduce((older, newer) -> newer)
            .orElseThrow();
        assertThat(abandoned.state()).as("the stopped instance's last pass").isEqualTo("FAILED");
        assertThat(abandoned.error()).contains("stopped");
        assertThat(stores.postgres()
            .queryForObject("select outcome from dualwrite_ledger where repository = ? and action = "
                    + "'VERIFICATION_FINISHED' and actor = ? order by id desc limit 1", String.class,
                    this.service.repository(), stoppingActor)).isEqualTo("INCOMPLETE");
        assertThat(stores.postgres()
            .queryForObject("select count(*) from dualwrite_verification_lease where repository = ? "
                    + "and holder = ? and expires_at > now()", Long.class, this.service.repository(),
                    stopping.toString())).as("a live lease held by the stopped instance").isZero();
        await().atMost(Duration.ofSeconds(30))
            .until(() -> passes(stopped).stream().anyMatch((pass) -> pass.done() && pass.by().endsWith(" on " + other)));

        List<Pass> all = passes(since);
        // Figures, not assertions: the rate limit (200 keys and rows a second) paces each pass.
        all.forEach((pass) -> print("pass by %s: %s .. %s %s, %d keys and rows read, %.0f/s (limit 200)", pass.by(),
                pass.startedAt(), pass.finishedAt(), pass.state(), pass.rowsRead(), pass.rowsPerSecond()));
        assertNoOverlap(all);
        print("%d passes of one repository by two instances, none overlapping; %s stopped during its pass (ended %s, "
                + "%s), its lease let go, and %s took over", all.size(), stopping, abandoned.state(),
                abandoned.error(), other);
    }

    // What this checks: with a lease of 1 s and passes paced to about 4 s (400 keys and rows at
    // 100 a second), each instance ticking every 100 ms, no pass of the other instance starts
    // while one runs (passes never overlap), every pass completes (none abandoned for a lost
    // lease), and the lease's expiry moves forward while a pass runs. Without renewals the
    // lease would lapse a second into each pass and the other instance would start a second
    // one at once.
    @Test
    void aShortLeaseIsRenewedWhileASlowPassRunsSoNoOtherInstanceStartsOne() {
        String[] slow = { "dual-write.verify.background.enabled=true", "dual-write.verify.background.pause=0s",
                "dual-write.verify.background.batch-size=20", "dual-write.verify.background.rate=100",
                "dual-write.verify.background.lease=1s" };
        TicketInstance a = this.service.start("a", slow);
        TicketInstance b = this.service.start("b", slow);
        a.tickets().saveAll(tickets(200));
        move(a, a, b);
        backfill(a);
        Instant since = Instant.now();

        // During one pass: the lease's expiry, read twice 1.5 s apart, is later the second time.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
            .until(() -> passes(since).stream().anyMatch((pass) -> "RUNNING".equals(pass.state())));
        Pass running = passes(since).stream().filter((pass) -> "RUNNING".equals(pass.state())).findFirst().orElseThrow();
        Instant firstExpiry = leaseExpiry();
        // Until the lease first read has lapsed by the database's clock: a pass still running
        // then has outlived it.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
            .until(() -> databaseNow().isAfter(firstExpiry.plusMillis(500)));
        Instant secondExpiry = leaseExpiry();
        assertThat(passes(since)).filteredOn((pass) -> pass.startedAt().equals(running.startedAt()))
            .singleElement()
            .as("the pass sampled still runs after its first lease lapsed")
            .extracting(Pass::state)
            .isEqualTo("RUNNING");
        assertThat(secondExpiry).as("lease expiry during the pass").isAfter(firstExpiry);

        await().atMost(Duration.ofSeconds(90)).until(() -> passes(since).stream().filter(Pass::done).count() >= 3);
        List<Pass> all = passes(since);
        all.forEach((pass) -> print("pass by %s: %s .. %s %s, %d keys and rows read, %s", pass.by(), pass.startedAt(),
                pass.finishedAt(), pass.state(), pass.rowsRead(), (pass.finishedAt() != null)
                        ? Duration.between(pass.startedAt(), pass.finishedAt()).toMillis() + " ms (lease 1000 ms)" : ""));
        assertThat(all).as("passes abandoned").noneMatch((pass) -> "FAILED".equals(pass.state()));
        assertThat(all).filteredOn(Pass::done)
            .as("passes lasting more than twice the lease")
            .allMatch((pass) -> Duration.between(pass.startedAt(), pass.finishedAt()).toMillis() > 2000);
        assertNoOverlap(all);
        print("lease expiry read during pass %s: %s, then %s; %d passes of 2+ s under a 1 s lease, none overlapping, "
                + "none abandoned", running.by(), firstExpiry, secondExpiry, all.size());
    }

    // A difference found in DUAL, where Redis holds the truth, must not be queued once the
    // repository is in POSTGRES_PRIMARY: PostgreSQL (behind on that key) would overwrite Redis.
    @Test
    void differencesOfAPassThatStartedBeforeAStageMoveAreNotQueuedForRepair() {
        String[] slowWithRepair = { "dual-write.verify.background.enabled=true",
                "dual-write.verify.background.pause=10m", "dual-write.verify.background.batch-size=50",
                "dual-write.verify.background.rate=100", "dual-write.verify.background.repair-differences=true" };
        // a sets up without the background verifier; b, started once the difference is planted,
        // runs its first pass (paced to about 6 s) with it.
        TicketInstance a = this.service.start("a");
        a.tickets().saveAll(tickets(300));
        move(a, a);
        backfill(a);
        stores.postgres().update("update control_tickets set owner = 'planted' where id in ('t1', 't2')");
        Instant planted = Instant.now();
        TicketInstance b = this.service.start("b", slowWithRepair);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
            .until(() -> passes(planted).stream().anyMatch((pass) -> "RUNNING".equals(pass.state())));
        StrategyChange change = a.controlPlane()
            .move(StageMove.forced(this.service.repository(), POSTGRES_PRIMARY, "operator",
                    "test: a move during a background pass"));
        this.service.awaitApplied(change.epoch(), a, b);
        assertThat(passes(planted)).as("the pass is still running after the move").anyMatch((pass) -> "RUNNING".equals(pass.state()));

        VerificationReport found = awaitBackgroundPass(b, planted);
        assertThat(found.strategy()).isEqualTo(DUAL);
        assertThat(found.differences()).extracting(Difference::key).containsExactlyInAnyOrder("t1", "t2");
        // The pass's lease is held for the pause once it is over, after the queueing step.
        await().atMost(Duration.ofSeconds(30)).until(() -> leaseExpiry().isAfter(Instant.now().plusSeconds(60)));
        assertThat(this.service.owedToRedis()).as("records of keys Redis is owed").isZero();
        assertThat(this.service.owedToPostgres()).as("records of keys PostgreSQL is owed").isZero();
        assertThat(this.service.inRedis().get("t1").owner()).as("Redis's value of t1").isEqualTo("seed");
        print("pass started in DUAL, ended in POSTGRES_PRIMARY: %s; nothing queued, Redis kept t1 = %s",
                found.summary(), this.service.inRedis().get("t1").owner());
    }

    // The gate follows the verification that started last: a clean one that started earlier
    // and ended later (a long background pass) does not hide the differences a newer one found.
    @Test
    void aCleanVerificationThatEndsAfterANewerOneFoundDifferencesDoesNotOpenTheGate() throws Exception {
        TicketInstance a = this.service.start("a");
        a.tickets().saveAll(tickets(100));
        move(a, a);
        backfill(a);
        CountDownLatch compared = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            // Compares everything, then waits at its last progress, before it records its end.
            Future<VerificationReport> older = thread.submit(() -> a.verifier()
                .verify(a.pair(), VerifyOptions.full(), (progress) -> {
                    if (progress.phase() == VerificationProgress.Phase.DONE) {
                        compared.countDown();
                        awaitLatch(release);
                    }
                }, "long check"));
            assertThat(compared.await(60, TimeUnit.SECONDS)).as("the older verification compared everything").isTrue();
            stores.postgres().update("update control_tickets set owner = 'planted' where id = 't7'");
            VerificationReport newer = a.verifier().verify(a.pair(), VerifyOptions.full(), (progress) -> {
            }, "operator");
            assertThat(newer.agree()).as(newer.summary()).isFalse();
            release.countDown();
            VerificationReport clean = older.get(60, TimeUnit.SECONDS);
            assertThat(clean.agree()).as(clean.summary()).isTrue();
        }
        finally {
            release.countDown();
            thread.shutdownNow();
        }

        StrategyChangeException refused = assertThatExceptionOfType(StrategyChangeException.class)
            .isThrownBy(() -> a.controlPlane()
                .move(StageMove.of(this.service.repository(), POSTGRES_PRIMARY, "operator", "too early")))
            .actual();
        GateCheck verification = refused.gates().stream()
            .filter((check) -> check.gate().equals("verification"))
            .findFirst()
            .orElseThrow();
        assertThat(verification.passed()).isFalse();
        assertThat(verification.detail()).contains("by 'operator'").contains("DIFFER");
        print("clean verification ended last, the newer one found differences: %s", verification);
    }

    // Keys are not bounded by the library: a report listing a 3 000-character key is stored
    // whole, rather than failing to store and losing the report.
    @Test
    void aDifferenceWithAVeryLongKeyIsStoredWithItsReport() {
        TicketInstance a = this.service.start("a");
        a.tickets().saveAll(tickets(10));
        move(a, a);
        backfill(a);
        String id = "long-" + "k".repeat(3000);
        stores.redis().opsForValue().set(this.service.keyPrefix() + id,
                "{\"id\":\"" + id + "\",\"owner\":\"planted\",\"version\":1}");
        VerificationReport report = a.verifier().verify(a.pair(), VerifyOptions.full(), (progress) -> {
        }, "operator");
        assertThat(report.differences()).extracting(Difference::key).containsExactly(id);
        RunStatus stored = newestOf(a, "operator");
        assertThat(stored.state()).isEqualTo(State.DONE);
        assertThat(store(a).report(stored.id()).orElseThrow().differences()).extracting(Difference::key)
            .containsExactly(id);
        stores.redis().delete(this.service.keyPrefix() + id);
        print("a difference with a key of %d characters stored with report %s", id.length(), stored.id());
    }

    private void assertNoOverlap(List<Pass> all) {
        for (int i = 1; i < all.size(); i++) {
            Pass previous = all.get(i - 1);
            assertThat(previous.finishedAt()).as("pass %d ended", i - 1).isNotNull();
            assertThat(all.get(i).startedAt()).as("pass %d by %s starts after pass %d by %s ended", i,
                    all.get(i).by(), i - 1, previous.by()).isAfterOrEqualTo(previous.finishedAt());
        }
    }

    private Instant leaseExpiry() {
        return stores.postgres()
            .queryForObject("select expires_at from dualwrite_verification_lease where repository = ?",
                    Timestamp.class, this.service.repository())
            .toInstant();
    }

    private RunStatus newestOf(TicketInstance on, String actor) {
        return store(on).recent(this.service.repository(), 50)
            .stream()
            .filter((status) -> status.startedBy().equals(actor))
            .findFirst()
            .orElseThrow();
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released within 60 s");
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private Instant databaseNow() {
        return stores.postgres().queryForObject("select clock_timestamp()", Timestamp.class).toInstant();
    }

    private VerificationReport awaitBackgroundPass(TicketInstance on, Instant after) {
        VerificationStore store = store(on);
        AtomicReference<Optional<RunStatus>> found = new AtomicReference<>(Optional.empty());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            // The first pass that started after the time given: recent() is newest first.
            found.set(store.recent(this.service.repository(), 20)
                .stream()
                .filter((status) -> status.startedBy().startsWith(BackgroundVerifier.ACTOR))
                .filter((status) -> status.state() == State.DONE && status.requestedAt().isAfter(after))
                .reduce((newer, older) -> older));
            return found.get().isPresent();
        });
        return store.report(found.get().orElseThrow().id()).orElseThrow();
    }

    private VerificationReport awaitCleanBackgroundPass(TicketInstance on, Instant after) {
        AtomicReference<Instant> from = new AtomicReference<>(after);
        AtomicReference<VerificationReport> pass = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            pass.set(awaitBackgroundPass(on, from.get()));
            from.set(pass.get().startedAt());
            return pass.get().agree();
        });
        return pass.get();
    }

    private List<Pass> passes(Instant since) {
        return stores.postgres()
            .query("select started_by, started_at, finished_at, state, error, coalesce(redis_keys, 0) + "
                    + "coalesce(postgres_rows, 0) as rows_read from dualwrite_verification "
                    + "where repository = ? and background and started_at >= ? order by started_at",
                    (rs, row) -> new Pass(rs.getString("started_by"), rs.getTimestamp("started_at").toInstant(),
                            Optional.ofNullable(rs.getTimestamp("finished_at")).map(Timestamp::toInstant).orElse(null),
                            rs.getString("state"), rs.getString("error"), rs.getLong("rows_read")),
                    this.service.repository(), Timestamp.from(since));
    }

    private record Pass(String by, Instant startedAt, Instant finishedAt, String state, String error, long rowsRead) {

        boolean done() {
            return "DONE".equals(this.state);
        }

        double rowsPerSecond() {
            return (this.finishedAt == null) ? Double.NaN
                    : this.rowsRead * 1000.0 / Math.max(1, Duration.between(this.startedAt, this.finishedAt).toMillis());
        }

    }

    private RunStatus newest(TicketInstance on) {
        return store(on).recent(this.service.repository(), 1).get(0);
    }

    private static VerificationStore store(TicketInstance on) {
        return on.context().getBean(VerificationStore.class);
    }

    private double gauge(TicketInstance on, String name) {
        return on.context()
            .getBean(MeterRegistry.class)
            .get(name)
            .tag("repository", this.service.repository())
            .gauge()
            .value();
    }

    private void move(TicketInstance on, TicketInstance... all) {
        StrategyChange change = on.controlPlane()
            .move(StageMove.of(this.service.repository(), DUAL, "operator", "test step"));
        this.service.awaitApplied(change.epoch(), all);
    }

    private void backfill(TicketInstance on) {
        List<BackfillReport> reports = on.backfill()
            .run(List.of(this.service.repository()), on.backfill().defaults())
            .reports();
        assertThat(reports).singleElement().extracting(BackfillReport::state).isEqualTo(BackfillState.COMPLETED);
    }

    private static GateCheck gate(StrategyChange change, String name) {
        return change.gates().stream().filter((check) -> check.gate().equals(name)).findFirst().orElseThrow();
    }

    private static List<Ticket> tickets(int count) {
        List<Ticket> tickets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tickets.add(new Ticket("t" + i, "seed", 1));
        }
        return tickets;
    }

    private static void print(String format, Object... args) {
        System.out.println("[background-verify] " + String.format(format, args));
    }

}
