package dev.dualwrite.control;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.control.app.Ticket;
import dev.dualwrite.core.backfill.BackfillReport;
import dev.dualwrite.core.backfill.BackfillState;
import dev.dualwrite.core.control.InstanceStage;
import dev.dualwrite.core.control.SharedStage;
import dev.dualwrite.core.control.StageMove;
import dev.dualwrite.core.ledger.LedgerAction;
import dev.dualwrite.core.ledger.LedgerEntry;
import dev.dualwrite.core.strategy.GateCheck;
import dev.dualwrite.core.strategy.StrategyChange;
import dev.dualwrite.core.strategy.StrategyChangeException;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.ReportRepair;
import dev.dualwrite.core.verify.ReportRepair.RepairOutcome;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.VerifyOptions;
import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.TcpProxy;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.dualwrite.control.StageWalk.failedGates;
import static dev.dualwrite.core.strategy.WriteStrategy.DUAL;
import static dev.dualwrite.core.strategy.WriteStrategy.POSTGRES_ONLY;
import static dev.dualwrite.core.strategy.WriteStrategy.POSTGRES_PRIMARY;
import static dev.dualwrite.core.strategy.WriteStrategy.REDIS_PRIMARY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The scenarios of the issue that once lost data or let instances drift apart, each now
 * ending safely, with two instances of one service (Spring contexts sharing PostgreSQL and
 * Redis): an early promotion is refused with its reasons, a rollback from
 * {@code POSTGRES_ONLY} keeps what was written there, a restart keeps the shared stage, an
 * instance that stopped acknowledging holds the next move until it is left out, keys written
 * in {@code DUAL} while another instance still writes Redis alone are copied again once it
 * applies {@code DUAL}, and the ledger records a forced move with its reason and the whole
 * walk in order. Each test has a repository (and key prefix) of its own.
 */
class StageMoveScenarioTests {

    private static final String PREFIX = TestKeyPrefix.create(StageMoveScenarioTests.class).prefix();

    private static final ContractStores stores = ContractStores.start(StageMoveScenarioTests.class, PREFIX);

    // An instance is left out 3 s after its last heartbeat (every 500 ms); repair records wait
    // 3 s before the reconciler claims them, so a test sees the rollback log before it drains.
    private static final Map<String, String> SETTINGS = Map.of("dual-write.control.instance-timeout", "3s",
            "dual-write.repair.min-age", "3s");

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
        stores.restore();
        stores.close();
    }

    // Scenario 1 of the issue: DUAL, then at once POSTGRES_PRIMARY, made every token written
    // before DUAL invisible.
    @Test
    void promotingRightAfterEnteringDualIsRefusedNamingTheBackfillAndTheVerification() {
        TicketInstance a = this.service.start("a");
        TicketInstance b = this.service.start("b");
        List<Ticket> tokens = List.of(new Ticket("1", "a", 1), new Ticket("2", "a", 1), new Ticket("3", "a", 1));
        a.tickets().saveAll(tokens);
        StrategyChange dual = a.controlPlane()
            .move(StageMove.of(this.service.repository(), DUAL, "operator", "scenario step"));
        StrategyChangeException immediate = refusedMove(b, POSTGRES_PRIMARY);
        assertThat(failedGates(immediate)).contains("backfill", "verification");
        print("promotion right after the move to DUAL refused: %s", immediate.getMessage());

        this.service.awaitApplied(dual.epoch(), a, b);
        StrategyChangeException refused = refusedMove(a, POSTGRES_PRIMARY);
        assertThat(failedGates(refused)).containsExactlyInAnyOrder("backfill", "verification");
        assertThat(refused.getMessage()).contains("no backfill COMPLETED since the repository entered DUAL")
            .contains("no full verification started after");
        print("promotion once both instances apply DUAL refused: %s", refused.getMessage());

        assertThat(a.controlPlane().stage(this.service.repository()).strategy()).isEqualTo(DUAL);
        assertThat(a.controlPlane().stage(this.service.repository()).epoch()).isEqualTo(dual.epoch());
        for (TicketInstance instance : List.of(a, b)) {
            assertThat(instance.tickets().findAllById(List.of("1", "2", "3"))).as("read on %s", instance)
                .containsExactlyInAnyOrderElementsOf(tokens);
        }
        assertThat(this.service.inPostgres()).as("PostgreSQL has no history yet").isEmpty();
    }

    // Scenario 2 of the issue: an update, a delete and a create made in POSTGRES_ONLY were lost
    // by the rollback to DUAL and REDIS_PRIMARY.
    @Test
    void rollingBackFromPostgresOnlyKeepsAnUpdateADeleteAndACreateMadeThere() {
        TicketInstance a = this.service.start("a");
        TicketInstance b = this.service.start("b");
        a.tickets().saveAll(List.of(new Ticket("1", "a", 1), new Ticket("2", "a", 1), new Ticket("3", "a", 1)));
        move(a, DUAL, a, b);
        backfill(b);
        verify(a);
        move(b, POSTGRES_PRIMARY, a, b);
        move(a, POSTGRES_ONLY, a, b);

        Ticket updated = new Ticket("2", "b", 2);
        Ticket created = new Ticket("4", "b", 1);
        b.tickets().save(updated);
        b.tickets().deleteById("3");
        b.tickets().save(created);
        assertThat(this.service.inRedis()).as("Redis is not kept in POSTGRES_ONLY").doesNotContainKey("4");

        StrategyChange back = move(b, POSTGRES_PRIMARY, a, b);
        StrategyChangeException beforeSync = refusedMove(a, DUAL);
        assertThat(failedGates(beforeSync)).containsExactlyInAnyOrder("repairs", "verification");
        assertThat(beforeSync.getMessage()).contains("3 key(s) await repair in Redis");
        print("back to DUAL before the rollback sync refused: %s", beforeSync.getMessage());

        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> this.service.owedToRedis() == 0);
        print("rollback log drained to Redis %d ms after the move back", (System.nanoTime() - start) / 1_000_000);
        Map<String, Ticket> redis = this.service.inRedis();
        assertThat(redis).containsEntry("2", updated).containsEntry("4", created).doesNotContainKey("3");
        LedgerEntry synced = await().atMost(Duration.ofSeconds(10))
            .until(() -> a.controlPlane().ledger().newest(this.service.repository(), LedgerAction.ROLLBACK_SYNCED),
                    Optional::isPresent)
            .get();
        assertThat(synced.epoch()).isEqualTo(back.epoch());

        StrategyChangeException beforeVerification = refusedMove(a, DUAL);
        assertThat(failedGates(beforeVerification)).containsExactly("verification");
        verify(b);
        move(a, DUAL, a, b);
        assertServed(List.of(a, b), updated, created);
        move(b, REDIS_PRIMARY, a, b);
        assertServed(List.of(a, b), updated, created);
    }

    // Scenario 3 of the issue: a restart returned an instance to the stage of its properties.
    @Test
    void aRestartWithAnotherConfiguredStrategyKeepsTheSharedStage() {
        TicketInstance a = this.service.start("a");
        TicketInstance b = this.service.start("b");
        StrategyChange dual = move(a, DUAL, a, b);

        this.service.stop(b);
        assertThat(a.controlPlane().instances(this.service.repository())).extracting(InstanceStage::instanceId)
            .as("a stopped instance leaves the agreement")
            .containsExactly("a");
        TicketInstance restarted = this.service.start("b", "dual-write.strategy=POSTGRES_ONLY");

        assertThat(restarted.controlPlane().strategyFor(this.service.repository())).isEqualTo(DUAL);
        SharedStage shared = a.controlPlane().stage(this.service.repository());
        assertThat(shared.strategy()).isEqualTo(DUAL);
        assertThat(shared.epoch()).isEqualTo(dual.epoch());
        assertThat(stageEntries(a)).as("the restart moved nothing").hasSize(2);
        this.service.awaitApplied(dual.epoch(), a, restarted);
        Ticket written = new Ticket("after-restart", "b", 1);
        restarted.tickets().save(written);
        assertThat(this.service.inRedis()).containsEntry(written.id(), written);
        assertThat(this.service.inPostgres()).containsEntry(written.id(), written);
        print("restarted with dual-write.strategy=POSTGRES_ONLY: applies %s (epoch %d), shared stage unchanged",
                restarted.controlPlane().strategyFor(this.service.repository()), shared.epoch());
    }

    // Scenario 3 of the issue, second half: instances drifted two stages apart. An instance
    // that can no longer reach PostgreSQL keeps the stage it had: the next move waits for it
    // until it is left out.
    @Test
    void anInstanceThatStopsAcknowledgingHoldsTheNextMoveUntilItIsLeftOut() {
        PostgresServer postgres = TestServers.postgres();
        try (TcpProxy ownPostgres = TcpProxy.start(postgres.host(), postgres.port())) {
            TicketInstance a = this.service.start("a");
            TicketInstance b = this.service.start("b");
            TicketInstance c = this.service.start("c", ownPostgres);
            this.service.awaitApplied(1, a, b, c);
            ownPostgres.refuseConnections();

            // c still applies the current epoch: this move is allowed, c cannot learn of it.
            StrategyChange dual = move(a, DUAL, a, b);
            AtomicInteger refusals = new AtomicInteger();
            AtomicReference<StrategyChange> moved = new AtomicReference<>();
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                try {
                    moved.set(b.controlPlane()
                        .move(StageMove.of(this.service.repository(), REDIS_PRIMARY, "operator", "scenario d")));
                    return true;
                }
                catch (StrategyChangeException ex) {
                    assertThat(failedGates(ex)).as(ex.getMessage()).containsExactly("instances");
                    assertThat(ex.getMessage()).contains("c (host").contains("applies epoch 1 (REDIS_PRIMARY)");
                    if (refusals.getAndIncrement() == 0) {
                        print("next move refused while c is silent: %s", ex.getMessage());
                    }
                    return false;
                }
            });
            long heldMillis = (System.nanoTime() - start) / 1_000_000;
            GateCheck instances = moved.get().gates().stream()
                .filter((check) -> check.gate().equals("instances"))
                .findFirst()
                .orElseThrow();
            assertThat(refusals.get()).isPositive();
            assertThat(instances.passed()).isTrue();
            assertThat(instances.detail()).contains("left out").contains("c (host");
            Instant lastSeen = a.controlPlane()
                .instances(this.service.repository())
                .stream()
                .filter((instance) -> instance.instanceId().equals("c"))
                .findFirst()
                .orElseThrow()
                .lastSeenAt();
            assertThat(Duration.between(lastSeen, moved.get().at())).as("from c's last heartbeat to the move")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(3));
            print("move held %d ms (%d refusals) until c was left out: %s", heldMillis, refusals.get(), instances);
            assertThat(dual.epoch()).isEqualTo(2);

            ownPostgres.restore();
            Duration rejoined = this.service.awaitApplied(moved.get().epoch(), a, b, c);
            print("c reached PostgreSQL again and applies epoch %d after %d ms", moved.get().epoch(),
                    rejoined.toMillis());
            // While its own proxy still runs, so that it leaves the agreement as it stops.
            this.service.stop(c);
        }
    }

    // Found by TwoInstancesWalkTests: while a move from REDIS_PRIMARY to DUAL spreads, an
    // instance still at REDIS_PRIMARY writes Redis alone after another instance's copy, and
    // PostgreSQL kept the older row with nothing to say so. b polls only when the test says;
    // neither reconciler runs in the background, so the test drains when it means to.
    @Test
    void keysWrittenInDualWhileAnInstanceStillWritesRedisAloneAreCopiedAgainOnceEveryInstanceAppliesDual() {
        String repository = this.service.repository();
        TicketInstance a = this.service.start("a", "dual-write.repair.enabled=false", "dual-write.repair.min-age=1ms",
                "dual-write.control.instance-timeout=60s");
        TicketInstance b = this.service.start("b", "dual-write.repair.enabled=false",
                "dual-write.control.poll-interval=1h", "dual-write.control.instance-timeout=60s");
        this.service.awaitApplied(1, a, b);
        a.controlPlane().move(StageMove.of(repository, DUAL, "operator", "scenario step"));
        assertThat(b.controlPlane().strategyFor(repository)).isEqualTo(REDIS_PRIMARY);
        assertThat(a.controlPlane().redisOnlyWritersMayRemain(repository)).as("a sees b may write Redis alone")
            .isTrue();

        a.tickets().save(new Ticket("1", "a", 1));
        a.tickets().save(new Ticket("2", "a", 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> this.service.openIntents() == 0);
        assertThat(this.service.owedToPostgres()).as("keys a wrote in DUAL while b may write Redis alone")
            .isEqualTo(2);
        assertThat(a.reconciler().drain(a.pair()).repaired()).as("keys repaired while b applies REDIS_PRIMARY")
            .isZero();

        b.tickets().save(new Ticket("1", "b", 2));
        b.tickets().deleteById("2");
        assertThat(this.service.inPostgres()).as("PostgreSQL after b's writes at REDIS_PRIMARY")
            .isEqualTo(Map.of("1", new Ticket("1", "a", 1), "2", new Ticket("2", "a", 1)));
        assertThat(this.service.inRedis()).isEqualTo(Map.of("1", new Ticket("1", "b", 2)));
        RepairOutcome early = a.context().getBean(ReportRepair.class).repair(a.pair(), List.of("1", "2"), false);
        assertThat(early.keys()).as("a repair from a report while b applies REDIS_PRIMARY")
            .allSatisfy((result) -> assertThat(result.action()).isEqualTo(ReportRepair.Action.FAILED));
        assertThat(this.service.inPostgres()).containsOnlyKeys("1", "2");

        b.controlPlane().refresh();
        assertThat(b.controlPlane().strategyFor(repository)).isEqualTo(DUAL);
        assertThat(b.controlPlane().redisOnlyWritersMayRemain(repository)).as("b, which applies DUAL last, sees "
                + "an instance that may write Redis alone").isFalse();
        a.controlPlane().refresh();
        assertThat(a.controlPlane().redisOnlyWritersMayRemain(repository)).as("a sees b may write Redis alone "
                + "once b applies DUAL").isFalse();
        assertThat(a.reconciler().drain(a.pair()).repaired()).as("keys repaired once both apply DUAL").isEqualTo(2);
        assertThat(this.service.owedToPostgres()).isZero();
        assertThat(this.service.inPostgres()).as("PostgreSQL after the repairs")
            .isEqualTo(Map.of("1", new Ticket("1", "b", 2)));

        // Settled: a DUAL write is copied and leaves no record.
        a.tickets().save(new Ticket("3", "a", 1));
        b.tickets().save(new Ticket("4", "b", 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> this.service.openIntents() == 0);
        assertThat(this.service.owedToPostgres()).as("keys recorded once DUAL is settled").isZero();
        assertThat(this.service.inPostgres()).isEqualTo(this.service.inRedis()).hasSize(3);

        // An instance starting now learns from the ledger that DUAL came from REDIS_PRIMARY, and
        // from the others' reports, read as it starts, that none applies REDIS_PRIMARY any more.
        TicketInstance c = this.service.start("c", "dual-write.repair.enabled=false");
        assertThat(c.controlPlane().redisOnlyWritersMayRemain(repository)).as("c, started once every instance "
                + "applies DUAL, sees an instance that may write Redis alone").isFalse();
        print("keys written in DUAL while b applied REDIS_PRIMARY: recorded 2, repaired 0 until b applied DUAL, "
                + "then 2; none recorded once settled");
    }

    // Point 7 of the issue: every move is recorded, a forced one with its reason.
    @Test
    void aForcedMoveIsRecordedWithItsReasonAndTheLedgerListsTheWholeWalk() {
        TicketInstance a = this.service.start("a");
        TicketInstance b = this.service.start("b");
        move(a, DUAL, a, b);
        String repository = this.service.repository();
        assertThatExceptionOfType(StrategyChangeException.class)
            .isThrownBy(() -> a.controlPlane().move(StageMove.forced(repository, POSTGRES_PRIMARY, "operator", " ")))
            .withMessageContaining("a forced move needs a reason");
        String reason = "new service: both stores were empty when DUAL began, nothing to copy";
        StrategyChange forced = a.controlPlane().move(StageMove.forced(repository, POSTGRES_PRIMARY, "operator", reason));
        assertThat(forced.forced()).isTrue();
        LedgerEntry recorded = a.controlPlane().ledger().newest(repository, LedgerAction.STAGE_CHANGED).orElseThrow();
        assertThat(recorded.forced()).isTrue();
        assertThat(recorded.reason()).isEqualTo(reason);
        assertThat(recorded.actor()).isEqualTo("operator");
        assertThat(recorded.details()).contains("backfill FAILED").contains("verification FAILED");
        print("forced move recorded: #%d %s -> %s by %s, reason '%s', overriding:%n%s", recorded.id(), recorded.from(),
                recorded.to(), recorded.actor(), recorded.reason(), recorded.details());

        this.service.awaitApplied(forced.epoch(), a, b);
        move(b, POSTGRES_ONLY, a, b);
        b.tickets().save(new Ticket("written-in-postgres-only", "b", 1));
        StrategyChange back = move(a, POSTGRES_PRIMARY, a, b);
        await().atMost(Duration.ofSeconds(30))
            .until(() -> a.controlPlane().ledger().newest(repository, LedgerAction.ROLLBACK_SYNCED), Optional::isPresent);
        verify(b);
        move(a, DUAL, a, b);
        move(b, REDIS_PRIMARY, a, b);

        List<LedgerEntry> ledger = new ArrayList<>(a.controlPlane().ledger().page(repository, null, 100));
        Collections.reverse(ledger);
        ledger.forEach((entry) -> print("ledger #%d %s %s -> %s epoch %d by %s%s%s", entry.id(), entry.action(),
                entry.from(), entry.to(), entry.epoch(), entry.actor(), entry.forced() ? " FORCED" : "",
                (entry.outcome() != null) ? " " + entry.outcome() : ""));
        assertThat(ledger).extracting((entry) -> entry.action() + " " + entry.from() + " -> " + entry.to())
            .containsExactly("STAGE_SEEDED null -> REDIS_PRIMARY", "STAGE_CHANGED REDIS_PRIMARY -> DUAL",
                    "STAGE_CHANGED DUAL -> POSTGRES_PRIMARY", "STAGE_CHANGED POSTGRES_PRIMARY -> POSTGRES_ONLY",
                    "STAGE_CHANGED POSTGRES_ONLY -> POSTGRES_PRIMARY", "ROLLBACK_SYNCED null -> POSTGRES_PRIMARY",
                    "VERIFICATION_STARTED null -> POSTGRES_PRIMARY", "VERIFICATION_FINISHED null -> POSTGRES_PRIMARY",
                    "STAGE_CHANGED POSTGRES_PRIMARY -> DUAL", "STAGE_CHANGED DUAL -> REDIS_PRIMARY");
        assertThat(ledger).filteredOn((entry) -> entry.action() == LedgerAction.STAGE_CHANGED)
            .extracting(LedgerEntry::forced)
            .containsExactly(false, true, false, false, false, false);
        assertThat(ledger).filteredOn((entry) -> entry.action() == LedgerAction.ROLLBACK_SYNCED)
            .extracting(LedgerEntry::epoch)
            .containsExactly(back.epoch());
    }

    /** Move on {@code on}, which every condition must allow, then wait until {@code all} apply it. */
    private StrategyChange move(TicketInstance on, WriteStrategy target, TicketInstance... all) {
        StrategyChange change = on.controlPlane()
            .move(StageMove.of(this.service.repository(), target, "operator", "scenario step"));
        assertThat(change.forced()).isFalse();
        this.service.awaitApplied(change.epoch(), all);
        return change;
    }

    private StrategyChangeException refusedMove(TicketInstance on, WriteStrategy target) {
        return assertThatExceptionOfType(StrategyChangeException.class)
            .isThrownBy(() -> on.controlPlane()
                .move(StageMove.of(this.service.repository(), target, "operator", "too early")))
            .actual();
    }

    private void backfill(TicketInstance on) {
        List<BackfillReport> reports = on.backfill()
            .run(List.of(this.service.repository()), on.backfill().defaults())
            .reports();
        assertThat(reports).singleElement().extracting(BackfillReport::state).isEqualTo(BackfillState.COMPLETED);
    }

    private void verify(TicketInstance on) {
        VerificationReport report = on.verifier().verify(on.pair(), VerifyOptions.full());
        assertThat(report.agree()).as(report.summary()).isTrue();
    }

    private void assertServed(List<TicketInstance> instances, Ticket updated, Ticket created) {
        for (TicketInstance instance : instances) {
            WriteStrategy stage = instance.controlPlane().strategyFor(this.service.repository());
            assertThat(instance.tickets().findById("1")).as("1 on %s at %s", instance, stage)
                .contains(new Ticket("1", "a", 1));
            assertThat(instance.tickets().findById("2")).as("2 on %s at %s", instance, stage).contains(updated);
            assertThat(instance.tickets().findById("3")).as("3 on %s at %s", instance, stage).isEmpty();
            assertThat(instance.tickets().findById("4")).as("4 on %s at %s", instance, stage).contains(created);
        }
        print("at %s both instances serve the update, the delete and the create made in POSTGRES_ONLY",
                instances.get(0).controlPlane().strategyFor(this.service.repository()));
    }

    private List<LedgerEntry> stageEntries(TicketInstance on) {
        return on.controlPlane()
            .ledger()
            .page(this.service.repository(), null, 100)
            .stream()
            .filter((entry) -> entry.action() == LedgerAction.STAGE_SEEDED
                    || entry.action() == LedgerAction.STAGE_CHANGED)
            .toList();
    }

    private static void print(String format, Object... args) {
        System.out.println("[scenario] " + String.format(format, args));
    }

}
