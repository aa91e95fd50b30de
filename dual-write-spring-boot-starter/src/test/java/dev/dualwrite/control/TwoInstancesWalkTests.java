package dev.dualwrite.control;

import java.util.List;
import java.util.Map;

import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.control.StageWalk.Parity;
import dev.dualwrite.testsupport.TestKeyPrefix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static dev.dualwrite.core.strategy.WriteStrategy.DUAL;
import static dev.dualwrite.core.strategy.WriteStrategy.POSTGRES_ONLY;
import static dev.dualwrite.core.strategy.WriteStrategy.POSTGRES_PRIMARY;
import static dev.dualwrite.core.strategy.WriteStrategy.REDIS_PRIMARY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proof: two instances of one service (two Spring contexts sharing PostgreSQL and
 * Redis) walk a repository from {@code REDIS_PRIMARY} to {@code POSTGRES_ONLY} and all the way
 * back while writer threads on both keep creating, updating and deleting keys. Every move
 * goes through the control plane without force; after each one, once both instances apply
 * it: no acknowledged write is lost, no delete is undone, every instance reads every key as
 * last written, and both stores are equal wherever both are kept.
 */
class TwoInstancesWalkTests {

    // Eight writers, as in the run, on 400 keys of their own and 4 shared ones.
    private static final int WRITERS_PER_INSTANCE = 4;

    private static final int KEYS_PER_WRITER = 50;

    private static final int HOT_KEYS = 4;

    // Calls that succeed between two steps of the walk, so every move happens under traffic.
    private static final int WRITES_PER_STEP = 1000;

    private static final String PREFIX = TestKeyPrefix.create(TwoInstancesWalkTests.class).prefix();

    private static final ContractStores stores = ContractStores.start(TwoInstancesWalkTests.class, PREFIX);

    @AfterAll
    static void cleanUp() {
        stores.close();
    }

    @Test
    void walkingForwardAndBackUnderLiveWritesLosesNothingAndKeepsTheStoresEqual() throws Exception {
        try (TicketService service = new TicketService(stores, PREFIX, Map.of())) {
            TicketInstance a = service.start("a");
            TicketInstance b = service.start("b");
            try (LiveWriters writers = new LiveWriters(List.of(a, b), WRITERS_PER_INSTANCE, KEYS_PER_WRITER, HOT_KEYS)) {
                StageWalk walk = new StageWalk("walk", service, List.of(a, b), writers);
                writers.phase("REDIS_PRIMARY (seeded)");
                writers.start();
                writers.awaitWrites(WRITES_PER_STEP);
                walk.check(REDIS_PRIMARY, Parity.PRIMARY_ONLY);

                writers.awaitWrites(WRITES_PER_STEP);
                walk.move(a, DUAL);
                walk.check(DUAL, Parity.POSTGRES_WITHIN_REDIS);
                writers.awaitWrites(WRITES_PER_STEP);
                walk.backfill(b);
                writers.awaitWrites(WRITES_PER_STEP);
                walk.check(DUAL, Parity.EQUAL);
                walk.verify(a);

                writers.awaitWrites(WRITES_PER_STEP);
                walk.move(b, POSTGRES_PRIMARY);
                walk.check(POSTGRES_PRIMARY, Parity.EQUAL);

                writers.awaitWrites(WRITES_PER_STEP);
                // b cannot acknowledge while a call it began at POSTGRES_PRIMARY is in flight.
                walk.moveWhileACallIsHeld(a, POSTGRES_ONLY, b, POSTGRES_PRIMARY);
                walk.check(POSTGRES_ONLY, Parity.PRIMARY_ONLY);

                writers.awaitWrites(WRITES_PER_STEP);
                // The rollback: the reconciler copies every key written in POSTGRES_ONLY to Redis.
                walk.move(b, POSTGRES_PRIMARY);
                walk.check(POSTGRES_PRIMARY, Parity.EQUAL);
                walk.expectRefused(a, DUAL, "verification");
                walk.verify(b);

                writers.awaitWrites(WRITES_PER_STEP);
                walk.move(a, DUAL);
                walk.check(DUAL, Parity.EQUAL);

                writers.awaitWrites(WRITES_PER_STEP);
                walk.move(b, REDIS_PRIMARY);
                writers.awaitWrites(WRITES_PER_STEP);
                walk.check(REDIS_PRIMARY, Parity.PRIMARY_ONLY);

                writers.close();
                walk.summary();
                assertThat(writers.failures()).as("calls that failed").isEmpty();
                assertThat(walk.refusals("instances")).as("moves refused by the instances gate").isEqualTo(1);
                assertThat(walk.ledgerStages()).containsExactly("null -> REDIS_PRIMARY", "REDIS_PRIMARY -> DUAL",
                        "DUAL -> POSTGRES_PRIMARY", "POSTGRES_PRIMARY -> POSTGRES_ONLY",
                        "POSTGRES_ONLY -> POSTGRES_PRIMARY", "POSTGRES_PRIMARY -> DUAL", "DUAL -> REDIS_PRIMARY");
            }
        }
    }

}
