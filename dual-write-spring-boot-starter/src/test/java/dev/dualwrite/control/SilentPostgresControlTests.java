package dev.dualwrite.control;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.core.control.InstanceStage;
import dev.dualwrite.core.control.StageMove;
import dev.dualwrite.core.strategy.GateCheck;
import dev.dualwrite.core.strategy.StrategyChange;
import dev.dualwrite.core.strategy.StrategyChangeException;
import dev.dualwrite.testsupport.TcpProxy;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.dualwrite.core.strategy.WriteStrategy.DUAL;
import static dev.dualwrite.core.strategy.WriteStrategy.REDIS_PRIMARY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An instance whose PostgreSQL goes silent (packets swallowed, no reset: a blackholed
 * network) with the JDBC driver's defaults, where a socket read waits for as long as TCP
 * keeps the connection: its background rounds are ended at the poll timeout, so once
 * PostgreSQL answers again, on new connections, it learns the moves the others made while it
 * was left out, although the connections open during the partition never answer again.
 */
class SilentPostgresControlTests {

    private static final String PREFIX = TestKeyPrefix.create(SilentPostgresControlTests.class).prefix();

    private static final ContractStores stores = ContractStores.start(SilentPostgresControlTests.class, PREFIX);

    // Left out 3 s after its last heartbeat (every 500 ms); rounds every 200 ms, ended after
    // the default poll timeout, a third of the instance timeout (1 s).
    private static final Map<String, String> SETTINGS = Map.of("dual-write.control.instance-timeout", "3s");

    private TicketService service;

    @BeforeEach
    void newService() {
        this.service = new TicketService(stores, PREFIX, SETTINGS);
    }

    @AfterEach
    void stopService() {
        this.service.close();
    }

    @Test
    void anInstanceWhosePostgresWentSilentAppliesTheMovesMadeMeanwhileOnceItAnswers() {
        try (TcpProxy ownPostgres = TcpProxy.start(TestServers.postgres().host(), TestServers.postgres().port())) {
            TicketInstance a = this.service.start("a");
            TicketInstance b = this.service.start("b");
            // The driver's defaults (no socketTimeout), not the fixture's: a read on a silent
            // server then waits as long as TCP does, which is what the time limit must end.
            String driverDefaults = TestServers.postgres()
                .withAddress(ownPostgres.host(), ownPostgres.port())
                .jdbcUrl(stores.schema());
            assertThat(driverDefaults).doesNotContain("socketTimeout");
            // Short pool timeouts, not Hikari's 30 s and 5 s: after the partition the pool checks
            // each idle connection it lost (up to its validation timeout each) and a login lost
            // with it holds the next connection back (up to the connection timeout). They bound
            // no read on a connection in use: without the poll timeout c still hangs.
            TicketInstance c = this.service.start("c", ownPostgres, "spring.datasource.url=" + driverDefaults,
                    "spring.datasource.hikari.connection-timeout=2000",
                    "spring.datasource.hikari.validation-timeout=250");
            this.service.awaitApplied(1, a, b, c);

            ownPostgres.blackhole(true);
            // c still applies the current epoch: this move is allowed, c cannot learn of it.
            StrategyChange dual = a.controlPlane()
                .move(StageMove.of(this.service.repository(), DUAL, "operator", "silent postgres, first move"));
            // The outage lasts until the next move passes, which needs c left out: longer than
            // the instance timeout, with c's poller meanwhile blocked on its silent connections.
            AtomicReference<StrategyChange> back = new AtomicReference<>();
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                try {
                    back.set(b.controlPlane()
                        .move(StageMove.of(this.service.repository(), REDIS_PRIMARY, "operator",
                                "silent postgres, move while c is left out")));
                    return true;
                }
                catch (StrategyChangeException ex) {
                    return false;
                }
            });
            GateCheck instances = back.get()
                .gates()
                .stream()
                .filter((check) -> check.gate().equals("instances"))
                .findFirst()
                .orElseThrow();
            assertThat(instances.detail()).contains("left out").contains("c (host");
            print("c left out and the repository moved to DUAL (epoch %d) and back (epoch %d), %d ms into the "
                    + "outage", dual.epoch(), back.get().epoch(), (System.nanoTime() - start) / 1_000_000);

            // The partition outlasted the connections open through it (PostgreSQL failed over,
            // a firewall forgot them): they never answer again, as TCP would not deliver on
            // them, while new connections work.
            ownPostgres.loseConnectionsSilently();
            ownPostgres.blackhole(false);
            long restored = System.nanoTime();
            // The round under way may be validating lost idle connections or waiting for a login
            // lost with the partition, which the pool ends at its own timeouts rather than at the
            // poll timeout; then a few poll intervals. About 3 s on a quiet machine; the deadline
            // leaves room for a loaded one (without the poll timeout c never recovers: its read
            // on a lost connection has no end).
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
                InstanceStage reported = a.controlPlane()
                    .instances(this.service.repository())
                    .stream()
                    .filter((row) -> row.instanceId().equals("c"))
                    .findFirst()
                    .orElseThrow();
                assertThat(reported.epoch()).as("epoch c applies").isEqualTo(back.get().epoch());
                assertThat(reported.strategy()).isEqualTo(REDIS_PRIMARY);
                assertThat(reported.live()).as("c is live").isTrue();
            });
            print("c applies epoch %d again %d ms after PostgreSQL answered", back.get().epoch(),
                    (System.nanoTime() - restored) / 1_000_000);
            // While its own proxy still runs, so that it leaves the agreement as it stops.
            this.service.stop(c);
        }
    }

    private static void print(String format, Object... args) {
        System.out.printf("[silent postgres] " + format + "%n", args);
    }

}
