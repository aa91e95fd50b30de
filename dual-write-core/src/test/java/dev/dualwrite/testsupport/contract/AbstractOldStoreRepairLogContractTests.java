package dev.dualwrite.testsupport.contract;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.dualwrite.core.repair.OldStoreRepairLog;
import dev.dualwrite.core.repair.RepairClaim;
import dev.dualwrite.core.repair.RepairRecord;
import dev.dualwrite.core.strategy.Store;
import org.assertj.core.data.TemporalUnitOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The protocol every {@link OldStoreRepairLog} keeps, written once and run against each
 * implementation, as ShedLock's providers extend its {@code AbstractLockProviderIntegrationTest}.
 * Add dual-write-core's test jar in test scope and extend this class with two overrides:
 * <pre class="code">
 * class MyRepairLogContractTests extends AbstractOldStoreRepairLogContractTests {
 *
 *     &#064;Override
 *     protected OldStoreRepairLog createLog(Duration interruptedWriteGrace, Duration inFlightGrace) {
 *         return new MyRepairLog(store, interruptedWriteGrace, inFlightGrace);
 *     }
 *
 *     &#064;Override
 *     protected void ageIntents(String repository, Duration age) {
 *         store.moveIntentsBack(repository, age); // test-only access to the store
 *     }
 * }
 * </pre>
 * Each test uses a repository name of its own ({@link #repository}), so tests share the store
 * and need no cleanup between them; override {@link #deleteRepository} to remove what a test
 * left. Lease and backoff expiry are awaited with short durations (at most a few seconds);
 * intent ages are moved with {@link #ageIntents} rather than waited for. A few tests still
 * assume that little time passes between two of their calls: less than {@link #IN_FLIGHT}
 * (10 s) where they take a freshly opened intent for a write in flight, less than 30 s where
 * they move an intent to between two graces. A store or test machine that stalls that long
 * fails them.
 */
public abstract class AbstractOldStoreRepairLogContractTests {

    /** The interrupted-write grace of {@link #log}. */
    protected static final Duration GRACE = Duration.ofMinutes(1);

    /** The in-flight grace of {@link #log}. */
    protected static final Duration IN_FLIGHT = Duration.ofSeconds(10);

    private static final Duration LONG = Duration.ofHours(1);

    private static final Duration SHORT = Duration.ofMillis(200);

    // The test's clock and the store's agree to within this (the test machine and a local
    // server); intent ages in the tests are minutes.
    private static final TemporalUnitOffset CLOCK_TOLERANCE = within(20, ChronoUnit.SECONDS);

    private final List<String> repositories = new ArrayList<>();

    /** The log under test: {@link #createLog} with {@link #GRACE} and {@link #IN_FLIGHT}. */
    protected OldStoreRepairLog log;

    /** A repository name unique to the running test. */
    protected String repository;

    /**
     * Create a log on the store under test. Every call within one test must return a log on
     * the same storage (the tests open intents with one log and look at them through another).
     * @param interruptedWriteGrace the age from which the log promotes an intent
     * @param inFlightGrace the age from which its pending count counts an intent
     * @return the log
     */
    protected abstract OldStoreRepairLog createLog(Duration interruptedWriteGrace, Duration inFlightGrace);

    /**
     * Make every write intent of a repository older by {@code age} by the store's clock, as if
     * each had been opened that much earlier: test-only access to the store.
     * @param repository the repository name
     * @param age how much older
     */
    protected abstract void ageIntents(String repository, Duration age);

    /**
     * Remove the records, claims and intents a test left for a repository; does nothing by
     * default, for a store that is dropped as a whole after the test class.
     * @param repository the repository name
     */
    protected void deleteRepository(String repository) {
    }

    /**
     * Return a repository name unique to the running test, removed after it.
     * @return the name
     */
    protected final String newRepository() {
        String name = "contract_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        this.repositories.add(name);
        return name;
    }

    @BeforeEach
    void createLogAndRepository() {
        this.log = createLog(GRACE, IN_FLIGHT);
        this.repository = newRepository();
    }

    @AfterEach
    void deleteRepositories() {
        for (String name : this.repositories) {
            deleteRepository(name);
        }
        this.repositories.clear();
    }

    @Test
    void aRecordKeepsItsKeyTargetAndReason() {
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom");

        assertThat(this.log.pending(this.repository, 10)).singleElement().satisfies((record) -> {
            assertThat(record.repository()).isEqualTo(this.repository);
            assertThat(record.key()).isEqualTo("k1");
            assertThat(record.target()).isEqualTo(Store.POSTGRES);
            assertThat(record.reason()).isEqualTo("boom");
            assertThat(record.attempts()).isEqualTo(1);
            // Not equal: the protocol does not say a first record reads the clock once.
            assertThat(record.lastRecordedAt()).isAfterOrEqualTo(record.firstRecordedAt());
            assertThat(record.firstRecordedAt()).isCloseTo(Instant.now(), CLOCK_TOLERANCE);
        });
        assertThat(this.log.isOpen(this.repository, "k1")).isTrue();
        assertThat(this.log.isOpen(this.repository, "k2")).isFalse();
        assertThat(this.log.pendingCount(this.repository)).isEqualTo(1);
    }

    @Test
    void recordingAKeyAgainCountsAnAttemptKeepsItsFirstTimeAndTakesTheNewReason() {
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "first");
        Instant first = single(this.repository).firstRecordedAt();

        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "second");

        RepairRecord record = single(this.repository);
        assertThat(record.attempts()).isEqualTo(2);
        assertThat(record.reason()).isEqualTo("second");
        assertThat(record.firstRecordedAt()).isEqualTo(first);
        assertThat(record.lastRecordedAt()).isAfterOrEqualTo(first);
        assertThat(this.log.pendingCount(this.repository)).isEqualTo(1);
    }

    @Test
    void repositoriesKeepTheirRecordsApart() {
        String other = newRepository();
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom");

        assertThat(this.log.isOpen(other, "k1")).isFalse();
        assertThat(this.log.pendingCount(other)).isZero();
        assertThat(this.log.pending(other, 10)).isEmpty();
        assertThat(this.log.claim(other, "a", 10, LONG, Duration.ZERO)).isEmpty();
        assertThat(this.log.oldestRecordedAt(other)).isEmpty();
    }

    @Test
    void pendingReturnsAtMostTheLimit() {
        for (String key : List.of("k1", "k2", "k3")) {
            this.log.recordFailure(this.repository, key, Store.POSTGRES, "boom");
        }

        assertThat(this.log.pending(this.repository, 2)).hasSize(2);
        assertThat(this.log.pending(this.repository, 10)).extracting(RepairRecord::key)
            .containsExactlyInAnyOrder("k1", "k2", "k3");
        assertThat(this.log.pendingCount(this.repository)).isEqualTo(3);
    }

    @Test
    void aClaimedRecordIsNotClaimedAgainWhileItsLeaseHolds() {
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom");

        List<RepairClaim> claims = this.log.claim(this.repository, "a", 10, LONG, Duration.ZERO);

        assertThat(claims).singleElement().satisfies((claim) -> {
            assertThat(claim.owner()).isEqualTo("a");
            assertThat(claim.key()).isEqualTo("k1");
            assertThat(claim.record().reason()).isEqualTo("boom");
            assertThat(claim.repairFailures()).isZero();
        });
        assertThat(this.log.claim(this.repository, "b", 10, LONG, Duration.ZERO)).isEmpty();
        assertThat(this.log.claim(this.repository, "a", 10, LONG, Duration.ZERO)).isEmpty();
        assertThat(this.log.isOpen(this.repository, "k1")).as("a claim keeps the record").isTrue();
        assertThat(this.log.pendingCount(this.repository)).isEqualTo(1);
    }

    @Test
    void aRecordWhoseLeaseLapsedIsClaimedAgain() {
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom");
        assertThat(this.log.claim(this.repository, "a", 10, SHORT, Duration.ZERO)).hasSize(1);

        List<RepairClaim> again = await().atMost(Duration.ofSeconds(10))
            .until(() -> this.log.claim(this.repository, "b", 10, LONG, Duration.ZERO), (claims) -> !claims.isEmpty());

        assertThat(again).singleElement().satisfies((claim) -> {
            assertThat(claim.owner()).isEqualTo("b");
            assertThat(claim.key()).isEqualTo("k1");
        });
    }

    @Test
    void claimLeavesRecordsYoungerThanTheMinimumAge() {
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom");

        assertThat(this.log.claim(this.repository, "a", 10, LONG, LONG)).isEmpty();
        assertThat(this.log.claim(this.repository, "a", 10, LONG, Duration.ZERO)).hasSize(1);
    }

    @Test
    void claimTakesAtMostTheLimitAndNeverAKeyTwice() {
        for (String key : List.of("k1", "k2", "k3", "k4", "k5")) {
            this.log.recordFailure(this.repository, key, Store.POSTGRES, "boom");
        }

        List<RepairClaim> first = this.log.claim(this.repository, "a", 3, LONG, Duration.ZERO);
        List<RepairClaim> second = this.log.claim(this.repository, "b", 10, LONG, Duration.ZERO);

        assertThat(first).hasSize(3);
        assertThat(second).hasSize(2);
        assertThat(keys(first, second)).containsExactlyInAnyOrder("k1", "k2", "k3", "k4", "k5");
    }

    @Test
    void concurrentClaimersTakeDisjointRecords() throws Exception {
        // Many small claims started together, so that claimers overlap on the same oldest
        // records: with a limit covering every record, or claimers started one after another,
        // a claim that is not atomic would pass as well.
        int records = 200;
        int limit = 5;
        for (int i = 0; i < records; i++) {
            this.log.recordFailure(this.repository, "k" + i, Store.POSTGRES, "boom");
        }
        int claimerCount = 4;
        CyclicBarrier start = new CyclicBarrier(claimerCount);
        // Each claimer claims until nothing is left and completes every claim it took: a key
        // claimed twice shows as a duplicate (compare-and-delete would hide it in the number of
        // records completed), a completion refused as a claim that was not the claimer's alone.
        List<Callable<List<String>>> claimers = new ArrayList<>();
        List<String> refused = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < claimerCount; i++) {
            String owner = "owner-" + i;
            OldStoreRepairLog instance = createLog(GRACE, IN_FLIGHT);
            claimers.add(() -> {
                start.await(30, TimeUnit.SECONDS);
                List<String> claimed = new ArrayList<>();
                List<RepairClaim> claims;
                while (!(claims = instance.claim(this.repository, owner, limit, LONG, Duration.ZERO)).isEmpty()) {
                    assertThat(claims).hasSizeLessThanOrEqualTo(limit);
                    for (RepairClaim claim : claims) {
                        claimed.add(claim.key());
                        if (!instance.complete(claim)) {
                            refused.add(claim.key());
                        }
                    }
                }
                return claimed;
            });
        }
        ExecutorService executor = Executors.newFixedThreadPool(claimerCount);
        List<String> claimed = new ArrayList<>();
        try {
            for (Future<List<String>> keys : executor.invokeAll(claimers, 2, TimeUnit.MINUTES)) {
                claimed.addAll(keys.get());
            }
        }
        finally {
            executor.shutdownNow();
        }

        assertThat(claimed).as("every record claimed once, none twice").doesNotHaveDuplicates().hasSize(records);
        assertThat(refused).as("completions refused").isEmpty();
        assertThat(this.log.pendingCount(this.repository)).isZero();
    }

    @Test
    void completeRemovesARecordUnchangedSinceItsClaim() {
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom");
        RepairClaim claim = this.log.claim(this.repository, "a", 10, LONG, Duration.ZERO).get(0);

        assertThat(this.log.complete(claim)).isTrue();

        assertThat(this.log.isOpen(this.repository, "k1")).isFalse();
        assertThat(this.log.pending(this.repository, 10)).isEmpty();
        assertThat(this.log.pendingCount(this.repository)).isZero();
        assertThat(this.log.oldestRecordedAt(this.repository)).isEmpty();
    }

    @Test
    void completeKeepsARecordRecordedAgainAfterItsClaimAndMakesItClaimableAtOnce() {
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom");
        RepairClaim claim = this.log.claim(this.repository, "a", 10, LONG, Duration.ZERO).get(0);
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom again");

        assertThat(this.log.complete(claim)).isFalse();

        assertThat(this.log.isOpen(this.repository, "k1")).isTrue();
        assertThat(this.log.claim(this.repository, "b", 10, LONG, Duration.ZERO)).singleElement()
            .satisfies((again) -> {
                assertThat(again.record().attempts()).isEqualTo(2);
                assertThat(again.record().reason()).isEqualTo("boom again");
            });
    }

    @Test
    void completeKeepsARecordReopenedThroughAnIntentAfterItsClaim() {
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom");
        RepairClaim claim = this.log.claim(this.repository, "a", 10, LONG, Duration.ZERO).get(0);
        String intent = this.log.openIntent(this.repository, "k1");
        this.log.recordAndCloseIntent(this.repository, intent, "k1", "copy may be overtaken");

        assertThat(this.log.complete(claim)).isFalse();

        assertThat(this.log.isOpen(this.repository, "k1")).isTrue();
    }

    @Test
    void aRecordCompletedOnceIsRecordedAfreshAfterwards() {
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom");
        RepairClaim claim = this.log.claim(this.repository, "a", 10, LONG, Duration.ZERO).get(0);
        assertThat(this.log.complete(claim)).isTrue();

        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "new failure");

        assertThat(single(this.repository).attempts()).isEqualTo(1);
        assertThat(this.log.complete(claim)).as("an old claim never removes a new record").isFalse();
        assertThat(this.log.isOpen(this.repository, "k1")).isTrue();
    }

    @Test
    void aReleasedRecordStaysAndIsNotClaimedBeforeItsBackoffEnds() {
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom");
        RepairClaim claim = this.log.claim(this.repository, "a", 10, LONG, Duration.ZERO).get(0);

        this.log.release(claim, LONG);

        assertThat(this.log.isOpen(this.repository, "k1")).isTrue();
        assertThat(this.log.claim(this.repository, "b", 10, LONG, Duration.ZERO)).isEmpty();
    }

    @Test
    void aReleasedRecordIsClaimedAgainAfterItsBackoffWithOneMoreRepairFailure() {
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom");
        RepairClaim claim = this.log.claim(this.repository, "a", 10, LONG, Duration.ZERO).get(0);

        this.log.release(claim, SHORT);

        List<RepairClaim> again = await().atMost(Duration.ofSeconds(10))
            .until(() -> this.log.claim(this.repository, "b", 10, LONG, Duration.ZERO), (claims) -> !claims.isEmpty());
        assertThat(again).singleElement().satisfies((next) -> {
            assertThat(next.owner()).isEqualTo("b");
            assertThat(next.repairFailures()).isEqualTo(1);
        });
    }

    @Test
    void onlyTheOwnerOfAClaimReleasesIt() {
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom");
        RepairClaim claim = this.log.claim(this.repository, "a", 10, LONG, Duration.ZERO).get(0);

        this.log.release(new RepairClaim(claim.record(), "intruder", 0, claim.version()), Duration.ZERO);

        assertThat(this.log.claim(this.repository, "b", 10, LONG, Duration.ZERO)).isEmpty();
    }

    @Test
    void aYoungIntentIsNeitherARecordNorBacklog() {
        String intent = this.log.openIntent(this.repository, "k1");

        assertThat(intent).isNotBlank();
        assertThat(this.log.isOpen(this.repository, "k1")).isFalse();
        assertThat(this.log.backlog(this.repository, IN_FLIGHT)).isZero();
        assertThat(this.log.pendingCount(this.repository)).isZero();
        assertThat(this.log.recordInterruptedWrites(this.repository)).isZero();
        assertThat(this.log.claim(this.repository, "a", 10, LONG, Duration.ZERO)).isEmpty();
        assertThat(this.log.oldestRecordedAt(this.repository)).isEmpty();
    }

    @Test
    void aClosedIntentIsNeverPromoted() {
        String intent = this.log.openIntent(this.repository, "k1");
        this.log.closeIntent(this.repository, intent);
        ageIntents(this.repository, GRACE.multipliedBy(2));

        assertThat(this.log.recordInterruptedWrites(this.repository)).isZero();
        assertThat(this.log.backlog(this.repository, IN_FLIGHT)).isZero();
        assertThat(this.log.isOpen(this.repository, "k1")).isFalse();
    }

    @Test
    void eachWriteOfAKeyHasAnIntentOfItsOwn() {
        String first = this.log.openIntent(this.repository, "k1");
        String second = this.log.openIntent(this.repository, "k1");
        assertThat(second).isNotEqualTo(first);

        this.log.closeIntent(this.repository, first);
        ageIntents(this.repository, GRACE.multipliedBy(2));

        assertThat(this.log.backlog(this.repository, IN_FLIGHT)).as("the other write's intent stays").isEqualTo(1);
        assertThat(this.log.recordInterruptedWrites(this.repository)).isEqualTo(1);
        assertThat(single(this.repository).attempts()).isEqualTo(1);
    }

    @Test
    void anIntentAgedPastTheGraceBecomesARecordWithTheIntentsTimeOnClaimAndAYoungOneDoesNot() {
        // Intents are aged by editing their stored times: this cannot tell the store's clock
        // from the writer's (RedisRepairLogIntentClockTests does, for Redis).
        this.log.openIntent(this.repository, "old");
        ageIntents(this.repository, GRACE.multipliedBy(2));
        this.log.openIntent(this.repository, "young");
        Instant opened = Instant.now().minus(GRACE.multipliedBy(2));

        List<RepairClaim> claims = this.log.claim(this.repository, "a", 10, LONG, Duration.ZERO);

        assertThat(claims).singleElement().satisfies((claim) -> {
            RepairRecord record = claim.record();
            assertThat(record.key()).isEqualTo("old");
            assertThat(record.target()).isEqualTo(Store.POSTGRES);
            assertThat(record.attempts()).isEqualTo(1);
            assertThat(record.reason()).isNotBlank();
            assertThat(record.firstRecordedAt()).as("the intent's time").isCloseTo(opened, CLOCK_TOLERANCE);
        });
        assertThat(this.log.isOpen(this.repository, "old")).isTrue();
        assertThat(this.log.isOpen(this.repository, "young")).isFalse();
        assertThat(this.log.backlog(this.repository, IN_FLIGHT)).as("the record, not the young intent").isEqualTo(1);
        assertThat(this.log.recordInterruptedWrites(this.repository)).as("promoted once").isZero();
    }

    @Test
    void twoInterruptedIntentsOfOneKeyBecomeOneRecordThatCountsBoth() {
        // A hot key whose writes were interrupted twice: both intents are promoted in one
        // batch, into one record with the first intent's time and one attempt per intent.
        this.log.openIntent(this.repository, "k1");
        this.log.openIntent(this.repository, "k1");
        this.log.openIntent(this.repository, "k2");
        ageIntents(this.repository, GRACE.multipliedBy(2));
        Instant opened = Instant.now().minus(GRACE.multipliedBy(2));

        assertThat(this.log.recordInterruptedWrites(this.repository)).isEqualTo(3);

        List<RepairRecord> records = this.log.pending(this.repository, 10);
        assertThat(records).extracting(RepairRecord::key).containsExactlyInAnyOrder("k1", "k2");
        RepairRecord hot = records.stream().filter((record) -> record.key().equals("k1")).findFirst().orElseThrow();
        assertThat(hot.attempts()).isEqualTo(2);
        assertThat(hot.firstRecordedAt()).isCloseTo(opened, CLOCK_TOLERANCE);
        assertThat(hot.lastRecordedAt()).isCloseTo(opened, CLOCK_TOLERANCE);
        assertThat(this.log.backlog(this.repository, IN_FLIGHT)).isEqualTo(2);
        assertThat(this.log.claim(this.repository, "a", 10, LONG, Duration.ZERO)).as("the log still claims")
            .hasSize(2);
    }

    @Test
    void aLogWithAShorterGracePromotesWhatALongerOneLeaves() {
        this.log.openIntent(this.repository, "k1");
        ageIntents(this.repository, Duration.ofSeconds(30));

        assertThat(this.log.recordInterruptedWrites(this.repository)).isZero();
        assertThat(createLog(Duration.ofSeconds(15), IN_FLIGHT).recordInterruptedWrites(this.repository)).isEqualTo(1);
        assertThat(this.log.isOpen(this.repository, "k1")).isTrue();
    }

    @Test
    void aPromotedIntentOfAKeyWithARecordCountsAnAttemptSoAnEarlierClaimIsNotCompleted() {
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom");
        Instant first = single(this.repository).firstRecordedAt();
        RepairClaim claim = this.log.claim(this.repository, "a", 10, LONG, Duration.ZERO).get(0);
        this.log.openIntent(this.repository, "k1");
        ageIntents(this.repository, GRACE.multipliedBy(2));

        assertThat(this.log.recordInterruptedWrites(this.repository)).isEqualTo(1);

        RepairRecord record = single(this.repository);
        assertThat(record.attempts()).isEqualTo(2);
        assertThat(record.firstRecordedAt()).isEqualTo(first);
        assertThat(this.log.complete(claim)).isFalse();
        assertThat(this.log.isOpen(this.repository, "k1")).isTrue();
    }

    @Test
    void recordAndCloseIntentRecordsTheKeyAndRemovesTheIntent() {
        String intent = this.log.openIntent(this.repository, "k1");

        this.log.recordAndCloseIntent(this.repository, intent, "k1", "copy may be overtaken");

        RepairRecord record = single(this.repository);
        assertThat(record.key()).isEqualTo("k1");
        assertThat(record.target()).isEqualTo(Store.POSTGRES);
        assertThat(record.reason()).isEqualTo("copy may be overtaken");
        assertThat(record.attempts()).isEqualTo(1);
        ageIntents(this.repository, GRACE.multipliedBy(2));
        assertThat(this.log.recordInterruptedWrites(this.repository)).as("the intent is gone").isZero();
        assertThat(this.log.backlog(this.repository, IN_FLIGHT)).isEqualTo(1);
    }

    @Test
    void recordAndCloseIntentKeepsTheReasonOfARecordTheKeyHas() {
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom");
        String intent = this.log.openIntent(this.repository, "k1");

        this.log.recordAndCloseIntent(this.repository, intent, "k1", "copy may be overtaken");

        RepairRecord record = single(this.repository);
        assertThat(record.reason()).isEqualTo("boom");
        assertThat(record.attempts()).isEqualTo(2);
    }

    @Test
    void backlogCountsRecordsAndOnlyIntentsOlderThanInFlight() {
        this.log.recordFailure(this.repository, "k0", Store.POSTGRES, "boom");
        this.log.openIntent(this.repository, "k1");
        ageIntents(this.repository, IN_FLIGHT.multipliedBy(3));
        this.log.openIntent(this.repository, "k2");

        assertThat(this.log.backlog(this.repository, IN_FLIGHT)).isEqualTo(2);
        assertThat(this.log.backlog(this.repository, IN_FLIGHT.multipliedBy(6))).isEqualTo(1);
        assertThat(this.log.pendingCount(this.repository)).as("with the log's in-flight grace").isEqualTo(2);
        assertThat(createLog(GRACE, IN_FLIGHT.multipliedBy(6)).pendingCount(this.repository)).isEqualTo(1);
    }

    @Test
    void oldestRecordedAtIsTheFirstTimeOfTheOldestRecordOrInterruptedIntent() {
        assertThat(this.log.oldestRecordedAt(this.repository)).isEmpty();
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom");
        Instant recorded = single(this.repository).firstRecordedAt();
        this.log.recordFailure(this.repository, "k2", Store.POSTGRES, "boom");
        this.log.recordFailure(this.repository, "k1", Store.POSTGRES, "boom again");

        assertThat(this.log.oldestRecordedAt(this.repository)).contains(recorded);

        this.log.openIntent(this.repository, "k3");
        ageIntents(this.repository, GRACE.multipliedBy(2));
        Instant opened = Instant.now().minus(GRACE.multipliedBy(2));

        assertThat(this.log.oldestRecordedAt(this.repository)).hasValueSatisfying((oldest) -> {
            assertThat(oldest).isBefore(recorded);
            assertThat(oldest).isCloseTo(opened, CLOCK_TOLERANCE);
        });
    }

    private RepairRecord single(String repository) {
        List<RepairRecord> records = this.log.pending(repository, 10);
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    @SafeVarargs
    private static List<String> keys(List<RepairClaim>... claims) {
        List<String> keys = new ArrayList<>();
        for (List<RepairClaim> some : claims) {
            some.forEach((claim) -> keys.add(claim.key()));
        }
        return keys;
    }

}
