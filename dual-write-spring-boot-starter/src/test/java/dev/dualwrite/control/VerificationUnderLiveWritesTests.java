package dev.dualwrite.control;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.core.control.StageMove;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.VerifyOptions;
import dev.dualwrite.testsupport.TestKeyPrefix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static dev.dualwrite.core.strategy.WriteStrategy.DUAL;
import static dev.dualwrite.core.strategy.WriteStrategy.POSTGRES_PRIMARY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A full verification while writers keep rewriting a few keys, the conditions of the
 * verification the control plane asks for before a move: a write in flight (its primary
 * written, its copy queued on the key's lock that the verifier's re-check holds) is no
 * difference, in {@code DUAL} and in {@code POSTGRES_PRIMARY}. A fuzzer: every write of these
 * keys is a chance for the race, so a verifier that reports writes in flight fails here.
 */
class VerificationUnderLiveWritesTests {

    private static final int VERIFICATIONS = 20;

    private static final String PREFIX = TestKeyPrefix.create(VerificationUnderLiveWritesTests.class).prefix();

    private static final ContractStores stores = ContractStores.start(VerificationUnderLiveWritesTests.class, PREFIX);

    @AfterAll
    static void cleanUp() {
        stores.close();
    }

    @Test
    void writesInFlightAreNoDifference() throws Exception {
        try (TicketService service = new TicketService(stores, PREFIX, Map.of())) {
            TicketInstance instance = service.start("a");
            // Few keys, all rewritten all the time: many writes in flight at any moment.
            try (LiveWriters writers = new LiveWriters(List.of(instance), 4, 4, 4)) {
                StageWalk walk = new StageWalk("verify under writes", service, List.of(instance), writers);
                writers.start();
                walk.move(instance, DUAL);
                walk.backfill(instance);
                List<String> dual = verifyRepeatedly(instance, writers);
                // Forced: what this test checks is the verifier, whose reports the gate reads.
                instance.controlPlane().move(StageMove.forced(service.repository(), POSTGRES_PRIMARY, "test",
                        "the subject is the verifier, not the gate"));
                List<String> postgresPrimary = verifyRepeatedly(instance, writers);
                writers.close();
                assertThat(writers.failures()).isEmpty();
                assertThat(dual).as("verifications in DUAL that reported a difference").isEmpty();
                assertThat(postgresPrimary).as("verifications in POSTGRES_PRIMARY that reported a difference").isEmpty();
            }
        }
    }

    private List<String> verifyRepeatedly(TicketInstance instance, LiveWriters writers) {
        WriteStrategy stage = instance.controlPlane().strategyFor(instance.repository());
        List<String> differing = new ArrayList<>();
        long writesBefore = writers.writes();
        for (int i = 0; i < VERIFICATIONS; i++) {
            long before = writers.writes();
            VerificationReport report = instance.verifier().verify(instance.pair(), VerifyOptions.full().withValues(true));
            assertThat(writers.writes()).as("writes during verification %d", i).isGreaterThan(before);
            if (!report.agree()) {
                differing.add(report.summary() + ": " + report.differences());
            }
        }
        System.out.printf("[verify under writes] %s: %d of %d full verifications reported a difference, %d writes "
                + "meanwhile%n", stage, differing.size(), VERIFICATIONS, writers.writes() - writesBefore);
        differing.forEach((line) -> System.out.println("[verify under writes]   " + line));
        return differing;
    }

}
