package dev.dualwrite.control;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import dev.dualwrite.control.app.Ticket;
import dev.dualwrite.core.backfill.BackfillJobReport;
import dev.dualwrite.core.backfill.BackfillReport;
import dev.dualwrite.core.backfill.BackfillState;
import dev.dualwrite.core.control.StageMove;
import dev.dualwrite.core.ledger.LedgerAction;
import dev.dualwrite.core.ledger.LedgerEntry;
import dev.dualwrite.core.strategy.GateCheck;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.StrategyChange;
import dev.dualwrite.core.strategy.StrategyChangeException;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.VerifyOptions;

import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Walks one repository of a {@link TicketService} through its stages while {@link LiveWriters}
 * write, the way an operator would: every move through {@code ControlPlane#move} without
 * force, the backfill and the verification through the instances' own beans. After each move
 * it waits until every instance applies the new epoch, then holds the writers at their
 * barrier and checks the stores. It prints what it saw and counted, to be quoted.
 */
final class StageWalk {

    /** What the two stores must show at a check, besides the primary holding every write. */
    enum Parity {

        /** The other store is not kept: it is not compared. */
        PRIMARY_ONLY,

        /** PostgreSQL is kept but holds no history yet: each of its rows equals Redis's. */
        POSTGRES_WITHIN_REDIS,

        /** Both stores are kept and complete: they hold the same keys with the same values. */
        EQUAL

    }

    private final TicketService service;

    private final List<TicketInstance> instances;

    private final LiveWriters writers;

    private final String label;

    private final List<String> moves = new ArrayList<>();

    private final Map<String, Integer> refusals = new TreeMap<>();

    private int checks;

    /**
     * @param label printed in front of every line, naming the walk
     * @param service the service
     * @param instances the instances that must all apply a move
     * @param writers the writers
     */
    StageWalk(String label, TicketService service, List<TicketInstance> instances, LiveWriters writers) {
        this.label = label;
        this.service = service;
        this.instances = List.copyOf(instances);
        this.writers = writers;
    }

    /**
     * Move the repository on instance {@code on}, which every condition must allow at once,
     * then wait until every instance applies the new epoch.
     * @return the change
     */
    StrategyChange move(TicketInstance on, WriteStrategy target) {
        this.writers.phase(target.name() + " (move " + (this.moves.size() + 1) + ")");
        long start = System.nanoTime();
        StrategyChange change = on.controlPlane()
            .move(StageMove.of(this.service.repository(), target, "walk-test", this.label + " step"));
        Duration decided = Duration.ofNanos(System.nanoTime() - start);
        assertThat(change.from()).isNotEqualTo(target);
        assertThat(change.to()).isEqualTo(target);
        assertThat(change.forced()).isFalse();
        Duration applied = this.service.awaitApplied(change.epoch(), this.instances.toArray(TicketInstance[]::new));
        String line = String.format("%s -> %s (epoch %d) on %s: decided in %d ms, applied by every instance %d ms "
                + "later; gates: %s", change.from(), change.to(), change.epoch(), on, decided.toMillis(),
                applied.toMillis(), change.gates().stream().map(GateCheck::gate).toList());
        this.moves.add(line);
        print("move %s", line);
        return change;
    }

    /**
     * Move the repository on instance {@code on} while a call on {@code slow}, begun under the
     * current stage, waits for its key's lock, which the test holds: {@code slow} acknowledges
     * the move only once that call has ended, so the next move, asked for at once, must be
     * refused by the instances gate alone, naming {@code slow}. Then the lock is let go.
     * The stage must write PostgreSQL first, whose write holds the lock for the whole call.
     * @return the change
     */
    StrategyChange moveWhileACallIsHeld(TicketInstance on, WriteStrategy target, TicketInstance slow,
            WriteStrategy next) throws Exception {
        this.writers.phase(target.name() + " (move " + (this.moves.size() + 1) + ")");
        String key = "held-call";
        String lock = slow.pair().postgres().lockName(key);
        DataSource dataSource = Objects.requireNonNull(this.service.stores().postgres().getDataSource());
        StrategyChange change;
        CompletableFuture<Void> held;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection
                .prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 0))")) {
                statement.setString(1, lock);
                statement.execute();
            }
            held = CompletableFuture.runAsync(() -> slow.tickets().save(new Ticket(key, slow.id(), 1)));
            await().atMost(Duration.ofSeconds(10)).until(() -> waitersOf(lock) > 0);
            long start = System.nanoTime();
            change = on.controlPlane()
                .move(StageMove.of(this.service.repository(), target, "walk-test", this.label + " step"));
            long decided = (System.nanoTime() - start) / 1_000_000;
            // Once slow applies the move to new calls, only the held call keeps it from acknowledging.
            await().atMost(Duration.ofSeconds(10))
                .until(() -> slow.controlPlane().strategyFor(this.service.repository()) == target);
            String refusal = expectRefused(on, next, "instances");
            assertThat(refusal).contains(slow.id() + " (host").contains("applies epoch " + (change.epoch() - 1));
            print("%s -> %s (epoch %d) on %s decided in %d ms while a call on %s waited for a lock", change.from(),
                    change.to(), change.epoch(), on, decided, slow);
            connection.rollback();
        }
        held.get(10, TimeUnit.SECONDS);
        Duration applied = this.service.awaitApplied(change.epoch(), this.instances.toArray(TicketInstance[]::new));
        String line = String.format("%s -> %s (epoch %d) on %s: applied by every instance %d ms after the held call "
                + "was let go", change.from(), change.to(), change.epoch(), on, applied.toMillis());
        this.moves.add(line);
        print("move %s", line);
        return change;
    }

    private long waitersOf(String lock) {
        Long waiting = this.service.stores().postgres().queryForObject("""
                select count(*) from pg_locks where locktype = 'advisory' and not granted
                and ((classid::bigint << 32) | objid::bigint) = hashtextextended(?, 0)""", Long.class, lock);
        return (waiting != null) ? waiting : 0;
    }

    /**
     * Ask for a move that must be refused by exactly the gates named.
     * @return the refusal's message
     */
    String expectRefused(TicketInstance on, WriteStrategy target, String... gates) {
        StrategyChangeException refused = assertThatExceptionOfType(StrategyChangeException.class)
            .isThrownBy(() -> on.controlPlane()
                .move(StageMove.of(this.service.repository(), target, "walk-test", this.label + " too early")))
            .actual();
        assertThat(failedGates(refused)).as(refused.getMessage()).containsExactlyInAnyOrder(gates);
        count(failedGates(refused));
        print("move to %s on %s refused: %s", target, on, refused.getMessage());
        return refused.getMessage();
    }

    /**
     * Ask for a move, again while PostgreSQL connections cut by an outage are being replaced,
     * until it is refused by exactly the gates named.
     * @return the refusal's message
     */
    String awaitRefused(TicketInstance on, WriteStrategy target, String... gates) {
        AtomicReference<StrategyChangeException> refusal = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(50))
            .ignoreExceptionsMatching((ex) -> ex instanceof DataAccessException || ex instanceof TransactionException)
            .until(() -> {
                try {
                    StrategyChange accepted = on.controlPlane()
                        .move(StageMove.of(this.service.repository(), target, "walk-test", this.label + " too early"));
                    throw new AssertionError("the move was accepted: " + accepted);
                }
                catch (StrategyChangeException ex) {
                    refusal.set(ex);
                    return true;
                }
            });
        StrategyChangeException refused = refusal.get();
        assertThat(failedGates(refused)).as(refused.getMessage()).containsExactlyInAnyOrder(gates);
        count(failedGates(refused));
        print("move to %s on %s refused: %s", target, on, refused.getMessage());
        return refused.getMessage();
    }

    /** Run the backfill on {@code on} with the live writers going on; it must complete. */
    BackfillReport backfill(TicketInstance on) {
        long start = System.nanoTime();
        BackfillJobReport job = on.backfill().run(List.of(this.service.repository()), on.backfill().defaults());
        assertThat(job.reports()).hasSize(1);
        BackfillReport report = job.reports().get(0);
        assertThat(report.state()).as(report.summary()).isEqualTo(BackfillState.COMPLETED);
        print("backfill on %s in %d ms: %s", on, (System.nanoTime() - start) / 1_000_000, report.summary());
        return report;
    }

    /** Verify fully on {@code on} with the live writers going on; the stores must agree. */
    VerificationReport verify(TicketInstance on) {
        long start = System.nanoTime();
        VerificationReport report = on.verifier().verify(on.pair(), VerifyOptions.full());
        print("full verification on %s in %d ms: %s", on, (System.nanoTime() - start) / 1_000_000, report.summary());
        assertThat(report.differences()).as(report.summary()).isEmpty();
        assertThat(report.agree()).as(report.summary()).isTrue();
        return report;
    }

    /** Wait until neither store is owed a key: the reconciler has drained both repair logs. */
    Duration awaitRepairsDrained() {
        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(this.service.owedToPostgres()).as("keys PostgreSQL is owed").isZero();
            assertThat(this.service.owedToRedis()).as("keys Redis is owed").isZero();
        });
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /**
     * Hold the writers at the barrier and check the stores at {@code stage}: the primary holds
     * the last acknowledged write of every owned key (and no key that was deleted or never
     * created), every instance's repository answers it, and the other store agrees as
     * {@code parity} says, once the reconciler has drained what it is owed.
     */
    void check(WriteStrategy stage, Parity parity) {
        this.writers.whilePaused(() -> {
            // The writers are held: once their intents are closed, every record a write leaves
            // (off the caller's path, as its intent goes) exists. An intent a write could not
            // close is turned into a record after the interrupted-write grace (13 s with the
            // fixture's Redis and secondary timeouts).
            await().atMost(Duration.ofMinutes(1)).until(() -> this.service.openIntents() == 0);
            Duration drained = (parity != Parity.PRIMARY_ONLY) ? awaitRepairsDrained() : Duration.ZERO;
            Map<String, Optional<Ticket>> expected = this.writers.expected();
            Map<String, Ticket> redis = this.service.inRedis();
            Map<String, Ticket> postgres = this.service.inPostgres();
            Map<String, Ticket> primary = (stage.primary() == Store.REDIS) ? redis : postgres;
            List<String> lost = new ArrayList<>();
            List<String> resurrected = new ArrayList<>();
            List<String> misread = new ArrayList<>();
            int present = 0;
            for (Map.Entry<String, Optional<Ticket>> entry : expected.entrySet()) {
                String id = entry.getKey();
                Optional<Ticket> value = entry.getValue();
                Ticket stored = primary.get(id);
                if (value.isPresent()) {
                    present++;
                    if (!value.get().equals(stored)) {
                        lost.add(id + ": acknowledged " + value.get() + ", " + stage.primary() + " holds " + stored);
                    }
                }
                else if (stored != null) {
                    resurrected.add(id + ": deleted or never created, " + stage.primary() + " holds " + stored);
                }
                for (TicketInstance instance : this.instances) {
                    Optional<Ticket> read = instance.tickets().findById(id);
                    if (!read.equals(value)) {
                        misread.add(id + " read on " + instance + ": " + read + ", expected " + value);
                    }
                }
            }
            List<String> apart = differences(parity, redis, postgres);
            this.checks++;
            print("check at %s: %d owned keys (%d present, %d absent), %d hot; lost %d, resurrected %d, misread %d; "
                    + "Redis %d keys, PostgreSQL %d rows, %s: %d differences%s", stage, expected.size(), present,
                    expected.size() - present, this.writers.hotKeys().size(), lost.size(), resurrected.size(),
                    misread.size(), redis.size(), postgres.size(), parity, apart.size(),
                    drained.isZero() ? "" : " (repair logs empty after " + drained.toMillis() + " ms)");
            assertThat(lost).as("acknowledged writes lost at %s", stage).isEmpty();
            assertThat(resurrected).as("deletes undone at %s", stage).isEmpty();
            assertThat(misread).as("reads through the repositories at %s", stage).isEmpty();
            assertThat(apart).as("stores apart at %s (%s)", stage, parity).isEmpty();
        });
    }

    private static List<String> differences(Parity parity, Map<String, Ticket> redis, Map<String, Ticket> postgres) {
        List<String> apart = new ArrayList<>();
        if (parity == Parity.PRIMARY_ONLY) {
            return apart;
        }
        Set<String> ids = new HashSet<>(postgres.keySet());
        if (parity == Parity.EQUAL) {
            ids.addAll(redis.keySet());
        }
        for (String id : ids) {
            if (!Objects.equals(redis.get(id), postgres.get(id))) {
                apart.add(id + ": Redis " + redis.get(id) + ", PostgreSQL " + postgres.get(id));
            }
        }
        return apart;
    }

    /**
     * Return the stage changes the ledger lists for the repository, oldest first, as
     * {@code from -> to}.
     */
    List<String> ledgerStages() {
        List<LedgerEntry> entries = new ArrayList<>(
                this.instances.get(0).controlPlane().ledger().page(this.service.repository(), null, 100));
        Collections.reverse(entries);
        entries.forEach((entry) -> print("ledger #%d %s %s %s -> %s epoch %d by %s%s%s", entry.id(), entry.at(),
                entry.action(), entry.from(), entry.to(), entry.epoch(), entry.actor(),
                entry.forced() ? " FORCED" : "", (entry.outcome() != null) ? " " + entry.outcome() : ""));
        return entries.stream()
            .filter((entry) -> entry.action() == LedgerAction.STAGE_SEEDED || entry.action() == LedgerAction.STAGE_CHANGED)
            .map((entry) -> entry.from() + " -> " + entry.to())
            .toList();
    }

    /** Print the walk's figures. */
    void summary() {
        print("summary: %d moves, %d checks, refusals by gate %s, %d calls (%s), %d failed", this.moves.size(),
                this.checks, this.refusals, this.writers.writes(), this.writers.operations(),
                this.writers.failures().size());
        this.writers.writesByPhase().forEach((phase, count) -> print("writes while %s: %d", phase, count));
        this.moves.forEach((move) -> print("move %s", move));
    }

    int refusals(String gate) {
        return this.refusals.getOrDefault(gate, 0);
    }

    private void count(List<String> gates) {
        gates.forEach((gate) -> this.refusals.merge(gate, 1, Integer::sum));
    }

    /** Return the gates a refusal names as failed. */
    static List<String> failedGates(StrategyChangeException ex) {
        return ex.gates().stream().filter((check) -> !check.passed()).map(GateCheck::gate).toList();
    }

    private void print(String format, Object... args) {
        System.out.println("[" + this.label + "] " + String.format(format, args));
    }

}
