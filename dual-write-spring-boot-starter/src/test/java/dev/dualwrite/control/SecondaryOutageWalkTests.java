package dev.dualwrite.control;

import java.time.Duration;
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
import static org.awaitility.Awaitility.await;

/**
 * The walk of {@link TwoInstancesWalkTests} with the secondary store unreachable (through the
 * proxy both instances use) right before the two moves that make it the primary: PostgreSQL
 * while in {@code DUAL} before the move to {@code POSTGRES_PRIMARY}, Redis while at
 * {@code POSTGRES_PRIMARY} after the rollback, before the move back to {@code DUAL}. No call
 * fails; each move is refused while the store it promotes is owed keys, and goes through once
 * the store is back and the reconciler has drained them, losing nothing.
 */
class SecondaryOutageWalkTests {

    private static final String PREFIX = TestKeyPrefix.create(SecondaryOutageWalkTests.class).prefix();

    private static final ContractStores stores = ContractStores.start(SecondaryOutageWalkTests.class, PREFIX);

    // Secondary writes give up fast and the breaker opens soon, as a service would set them;
    // repair records stay unclaimed for 3 s, so the refusal right after an outage is certain
    // to see them.
    private static final Map<String, String> SETTINGS = Map.of("dual-write.secondary.timeout", "500ms",
            "dual-write.secondary.circuit-breaker.wait-duration-in-open-state", "1s", "dual-write.repair.min-age", "3s");

    @AfterAll
    static void cleanUp() {
        stores.restore();
        stores.close();
    }

    @Test
    void aMoveThatPromotesAStoreThatWasUnreachableWaitsForItsRepairsAndThenLosesNothing() throws Exception {
        try (TicketService service = new TicketService(stores, PREFIX, SETTINGS)) {
            TicketInstance a = service.start("a");
            TicketInstance b = service.start("b");
            try (LiveWriters writers = new LiveWriters(List.of(a, b), 3, 40, 4)) {
                StageWalk walk = new StageWalk("outage walk", service, List.of(a, b), writers);
                writers.phase("REDIS_PRIMARY (seeded)");
                writers.start();
                writers.awaitWrites(300);
                walk.move(a, DUAL);
                walk.check(DUAL, Parity.POSTGRES_WITHIN_REDIS);
                walk.backfill(b);
                walk.verify(a);

                writers.phase("DUAL, PostgreSQL unreachable");
                stores.postgresProxy().refuseConnections();
                writers.awaitWrites(300);
                await().atMost(Duration.ofSeconds(30)).until(() -> service.owedToPostgres() > 0);
                long owed = service.owedToPostgres();
                stores.postgresProxy().restore();
                writers.phase("DUAL, PostgreSQL back");
                assertThat(walk.awaitRefused(a, POSTGRES_PRIMARY, "repairs")).contains("await repair in PostgreSQL");
                System.out.printf("[outage walk] PostgreSQL unreachable: %d key(s) owed to it when it came back%n", owed);
                // With the writers going on: their calls are what closes the circuit breaker again.
                System.out.printf("[outage walk] PostgreSQL owed nothing %d ms later%n",
                        walk.awaitRepairsDrained().toMillis());
                walk.check(DUAL, Parity.EQUAL);

                walk.move(a, POSTGRES_PRIMARY);
                walk.check(POSTGRES_PRIMARY, Parity.EQUAL);
                writers.awaitWrites(300);
                walk.move(b, POSTGRES_ONLY);
                walk.check(POSTGRES_ONLY, Parity.PRIMARY_ONLY);
                writers.awaitWrites(300);
                walk.move(a, POSTGRES_PRIMARY);
                walk.check(POSTGRES_PRIMARY, Parity.EQUAL);
                walk.verify(b);

                writers.phase("POSTGRES_PRIMARY, Redis unreachable");
                stores.redisProxy().refuseConnections();
                writers.awaitWrites(300);
                await().atMost(Duration.ofSeconds(30)).until(() -> service.failedCopiesToRedis() > 0);
                long failed = service.failedCopiesToRedis();
                stores.redisProxy().restore();
                writers.phase("POSTGRES_PRIMARY, Redis back");
                assertThat(walk.awaitRefused(b, DUAL, "repairs")).contains("await repair in Redis");
                System.out.printf("[outage walk] Redis unreachable: %d key(s) owed to it when it came back%n", failed);
                System.out.printf("[outage walk] Redis owed nothing %d ms later%n", walk.awaitRepairsDrained().toMillis());
                walk.check(POSTGRES_PRIMARY, Parity.EQUAL);

                walk.move(b, DUAL);
                walk.check(DUAL, Parity.EQUAL);
                writers.awaitWrites(300);
                walk.move(a, REDIS_PRIMARY);
                walk.check(REDIS_PRIMARY, Parity.PRIMARY_ONLY);

                writers.close();
                walk.summary();
                assertThat(writers.failures()).as("calls that failed").isEmpty();
                assertThat(walk.refusals("repairs")).isEqualTo(2);
                assertThat(walk.ledgerStages()).containsExactly("null -> REDIS_PRIMARY", "REDIS_PRIMARY -> DUAL",
                        "DUAL -> POSTGRES_PRIMARY", "POSTGRES_PRIMARY -> POSTGRES_ONLY",
                        "POSTGRES_ONLY -> POSTGRES_PRIMARY", "POSTGRES_PRIMARY -> DUAL", "DUAL -> REDIS_PRIMARY");
            }
        }
    }

}
