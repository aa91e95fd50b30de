package dev.dualwrite.testsupport.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.dualwrite.core.store.scan.OldStoreScanner;
import dev.dualwrite.core.store.scan.RawSourceBatch;
import dev.dualwrite.core.store.scan.ScanSettings;
import dev.dualwrite.core.store.scan.ScannedEntry;
import dev.dualwrite.core.store.scan.SourceBatch;
import dev.dualwrite.core.store.scan.SourcePosition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The protocol every {@link OldStoreScanner} keeps for the backfill and the verifier, written
 * once and run against each implementation, as ShedLock's providers extend its
 * {@code AbstractLockProviderIntegrationTest}. Add dual-write-core's test jar in test scope and
 * extend this class:
 * <pre class="code">
 * class MyScannerContractTests extends AbstractOldStoreScannerContractTests&lt;Item, Long&gt; {
 *
 *     &#064;Override
 *     protected OldStoreScanner&lt;Item, Long&gt; createScanner() {
 *         return new MyScanner(store);
 *     }
 *
 *     &#064;Override
 *     protected Long id(int n) {
 *         return (long) n;
 *     }
 *
 *     &#064;Override
 *     protected void put(Long id, String name) {
 *         store.save(new Item(id, name));
 *     }
 *
 *     &#064;Override
 *     protected void delete(Long id) {
 *         store.delete(id);
 *     }
 *
 *     &#064;Override
 *     protected String nameOf(Item item) {
 *         return item.name();
 *     }
 *
 *     &#064;Override
 *     protected void clear() {
 *         store.deleteAll();
 *     }
 * }
 * </pre>
 * Each test starts from an empty store ({@link #clear} runs before it) and puts what it scans.
 * Override {@link #putUnreadable} where the store can hold a value the scanner cannot decode;
 * the reject tests are skipped otherwise. It checks what the backfill and the verifier rely
 * on: a scan from the initial position to a complete batch returns every key at least once,
 * also when it resumes from the text of a position on another scanner; batches hold at most
 * {@link ScanSettings#batchSize()} entries (see {@link #batchLimit}); a value that does not
 * decode is a reject naming its key and does not stop the scan; the id pattern selects by id;
 * {@code read}, {@code existing} and {@code keyOf} agree with the scan.
 * @param <R> the old store's entity type
 * @param <ID> the id type
 */
public abstract class AbstractOldStoreScannerContractTests<R, ID> {

    /** The settings of the scans: small batches, so that a few entities span several. */
    protected static final ScanSettings SETTINGS = new ScanSettings("*", 7, 7, 4, Duration.ofSeconds(10));

    // Far more steps than any test's own data needs: a scan that does not end fails instead of
    // hanging. See maxSteps() for scanners that walk more than their own data.
    private static final int MAX_STEPS = 1_000;

    /** The scanner under test: {@link #createScanner()}, after {@link #clear()}. */
    protected OldStoreScanner<R, ID> scanner;

    /**
     * Create a scanner over the store under test. Every call must return a scanner over the
     * same store: resuming is tested with a second one.
     * @return the scanner
     */
    protected abstract OldStoreScanner<R, ID> createScanner();

    /**
     * Return the {@code n}-th id of the tests ({@code n} from 1 to 50, or to
     * {@link #entitiesSpanningSeveralSteps()} if more), distinct for every
     * {@code n}; the id part of its key is its {@link String#valueOf string form}, which the
     * id-pattern test matches against.
     * @param n the number
     * @return the id
     */
    protected abstract ID id(int n);

    /**
     * Put an entity with this id and name into the store, as the application would.
     * @param id the id
     * @param name the name, to tell a decoded entity's value
     */
    protected abstract void put(ID id, String name);

    /**
     * Delete the entity with this id from the store.
     * @param id the id
     */
    protected abstract void delete(ID id);

    /**
     * Return the name an entity was put with.
     * @param entity a decoded entity
     * @return its name
     */
    protected abstract String nameOf(R entity);

    /** Empty the store: run before every test. */
    protected abstract void clear();

    /**
     * Put a value under this id's key that the scanner cannot decode (a malformed JSON string, a
     * column value the entity cannot hold, ...).
     * @param id the id
     * @return {@code false} when the store cannot hold such a value (the default): the reject
     * tests are then skipped
     */
    protected boolean putUnreadable(ID id) {
        return false;
    }

    /**
     * Return the most entries a batch may hold under some settings: the batch size, unless the
     * store's calls may return more than asked (Redis's {@code SCAN} treats {@code COUNT} as a
     * hint).
     * @param settings the settings of the scan
     * @return the most entries of one batch
     */
    protected int batchLimit(ScanSettings settings) {
        return settings.batchSize();
    }

    /**
     * Return how many entities the resume test puts, enough for a scan with
     * {@link #SETTINGS} to take more than one step: 25, unless the store answers small sets in
     * one call (Redis's {@code SSCAN} returns a set of up to 128 members whole). {@link #id}
     * must accept numbers up to this.
     * @return the number of entities
     */
    protected int entitiesSpanningSeveralSteps() {
        return 25;
    }

    /**
     * Return the most steps a scan of an empty store may take: one, unless the scanner must walk
     * more than the entity type's own data (Redis's {@code SCAN} walks the server's whole
     * keyspace, node by node).
     * @return the most steps
     */
    protected int stepsOverAnEmptyStore() {
        return 1;
    }

    /**
     * Return the most steps any scan of the tests may take before it counts as one that does not
     * end: 1,000, far more than the tests' own data needs. A scanner that walks more than its
     * entity type's data (Redis's {@code SCAN} walks the whole server's keyspace, which other
     * test classes share) returns a bound that grows with what it must walk, so that the tests
     * do not depend on how much foreign data the server holds; it is asked again for each scan.
     * @return the most steps of one scan
     */
    protected int maxSteps() {
        return MAX_STEPS;
    }

    @BeforeEach
    void emptyStoreAndScanner() {
        clear();
        this.scanner = createScanner();
    }

    @Test
    void aScanFromTheStartReturnsEveryKeyDecodedWithItsId() {
        Map<String, String> names = putEntities(1, 25);

        List<SourceBatch<R, ID>> batches = scanToCompletion(this.scanner, this.scanner.initialPosition(), SETTINGS);

        Map<String, String> found = new LinkedHashMap<>();
        for (SourceBatch<R, ID> batch : batches) {
            for (ScannedEntry<R, ID> entry : batch.entries()) {
                assertThat(entry.isReject()).as("reject %s: %s", entry.redisKey(), entry.problem()).isFalse();
                assertThat(entry.id()).isNotNull();
                assertThat(this.scanner.keyOf(entry.id())).isEqualTo(entry.redisKey());
                found.put(entry.redisKey(), nameOf(entry.entity()));
            }
        }
        assertThat(found).isEqualTo(names);
        assertThat(batches.get(batches.size() - 1).fraction()).isEqualTo(1.0);
        assertThat(this.scanner.size()).isIn(-1L, 25L);
    }

    @Test
    void batchesHoldAtMostTheBatchSizeAndFractionsStayBetweenZeroAndOne() {
        putEntities(1, 30);

        List<SourceBatch<R, ID>> batches = scanToCompletion(this.scanner, this.scanner.initialPosition(), SETTINGS);

        assertThat(batches).allSatisfy((batch) -> {
            assertThat(batch.entries()).hasSizeLessThanOrEqualTo(batchLimit(SETTINGS));
            assertThat(batch.fraction()).isBetween(0.0, 1.0);
        });
        assertThat(batches).filteredOn(SourceBatch::complete).hasSize(1);
    }

    @Test
    void theIoAndCpuHalvesTogetherScanWhatNextPageScans() {
        Map<String, String> names = putEntities(1, 20);

        Map<String, String> found = new LinkedHashMap<>();
        SourcePosition position = this.scanner.initialPosition();
        int maxSteps = maxSteps();
        for (int step = 0; step < maxSteps; step++) {
            RawSourceBatch raw = this.scanner.scanPage(position, SETTINGS);
            List<ScannedEntry<R, ID>> decoded = this.scanner.decode(raw.entries());
            assertThat(decoded).hasSameSizeAs(raw.entries());
            for (int i = 0; i < decoded.size(); i++) {
                assertThat(decoded.get(i).redisKey()).isEqualTo(raw.entries().get(i).redisKey());
                found.put(decoded.get(i).redisKey(), nameOf(decoded.get(i).entity()));
            }
            position = raw.position();
            if (raw.complete()) {
                break;
            }
        }
        assertThat(found).isEqualTo(names);
    }

    @Test
    void aScanResumedFromThePositionsTextOnAnotherScannerLosesNoKey() {
        Map<String, String> names = putEntities(1, entitiesSpanningSeveralSteps());

        SourceBatch<R, ID> first = this.scanner.nextPage(this.scanner.initialPosition(), SETTINGS);
        assertThat(first.complete()).as("a first step over %d entities that is complete", names.size()).isFalse();
        String checkpoint = first.position().text();

        OldStoreScanner<R, ID> restarted = createScanner();
        SourcePosition resumed = restarted.parsePosition(checkpoint);
        assertThat(resumed).isEqualTo(first.position());
        assertThat(resumed.text()).isEqualTo(checkpoint);
        Set<String> found = keys(List.of(first));
        found.addAll(keys(scanToCompletion(restarted, resumed, SETTINGS)));
        assertThat(found).containsAll(names.keySet());
    }

    @Test
    void thePartitionsOfWhatIsLeftOfAScanTogetherReturnItAllAndNoKeyTwice() {
        Map<String, String> names = putEntities(1, entitiesSpanningSeveralSteps());
        SourceBatch<R, ID> first = this.scanner.nextPage(this.scanner.initialPosition(), SETTINGS);

        Map<String, SourcePosition> partitions = this.scanner.partitions(first.position());

        // A partitioned backfill stores them by name and position text, and several workers
        // scan them from there, each on a scanner of its own.
        assertThat(createScanner().partitions(first.position()).keySet()).isEqualTo(partitions.keySet());
        Set<String> found = keys(List.of(first));
        List<String> fromPartitions = new ArrayList<>();
        for (SourcePosition start : partitions.values()) {
            OldStoreScanner<R, ID> worker = createScanner();
            for (SourceBatch<R, ID> batch : scanToCompletion(worker, worker.parsePosition(start.text()), SETTINGS)) {
                batch.entries().forEach((entry) -> fromPartitions.add(entry.redisKey()));
            }
        }
        found.addAll(fromPartitions);
        assertThat(found).containsAll(names.keySet());
        assertThat(fromPartitions).as("no key in two partitions").doesNotHaveDuplicates();
        assertThat(this.scanner.partitions(this.scanner.initialPosition())).isNotEmpty();
    }

    @Test
    void aStepRepeatedFromTheSamePositionLosesNoKey() {
        // The caller repeats a step whose batch it could not write: the scanner must not have
        // moved on by the step it is asked again.
        Map<String, String> names = putEntities(1, entitiesSpanningSeveralSteps());

        SourceBatch<R, ID> first = this.scanner.nextPage(this.scanner.initialPosition(), SETTINGS);
        assertThat(first.complete()).as("a first step over %d entities that is complete", names.size()).isFalse();
        this.scanner.nextPage(first.position(), SETTINGS);
        Set<String> found = keys(List.of(first));
        found.addAll(keys(scanToCompletion(this.scanner, first.position(), SETTINGS)));

        assertThat(found).containsAll(names.keySet());
    }

    @Test
    void aScanResumedMidwayOnAScannerThatWentFurtherLosesNoKey() {
        // A scanner that kept its cursor in fields would go on from where it last stopped, not
        // from the position it is given.
        Map<String, String> names = putEntities(1, entitiesSpanningSeveralSteps());

        SourceBatch<R, ID> first = this.scanner.nextPage(this.scanner.initialPosition(), SETTINGS);
        assertThat(first.complete()).as("a first step over %d entities that is complete", names.size()).isFalse();
        scanToCompletion(this.scanner, first.position(), SETTINGS);
        Set<String> found = keys(List.of(first));
        found.addAll(keys(scanToCompletion(this.scanner, this.scanner.parsePosition(first.position().text()),
                SETTINGS)));

        assertThat(found).containsAll(names.keySet());
    }

    @Test
    void aKeyDeletedBeforeItsStepIsNotReturned() {
        int count = entitiesSpanningSeveralSteps();
        Map<String, String> names = putEntities(1, count);

        SourceBatch<R, ID> first = this.scanner.nextPage(this.scanner.initialPosition(), SETTINGS);
        assertThat(first.complete()).as("a first step over %d entities that is complete", names.size()).isFalse();
        Set<String> seen = keys(List.of(first));
        String deleted = null;
        for (int n = 1; n <= count && deleted == null; n++) {
            if (!seen.contains(this.scanner.keyOf(id(n)))) {
                deleted = this.scanner.keyOf(id(n));
                delete(id(n));
            }
        }
        assertThat(deleted).as("a key the first step did not return").isNotNull();
        Set<String> rest = keys(scanToCompletion(this.scanner, first.position(), SETTINGS));

        assertThat(rest).doesNotContain(deleted);
        Set<String> expected = new LinkedHashSet<>(names.keySet());
        expected.removeAll(seen);
        expected.remove(deleted);
        assertThat(rest).containsAll(expected);
    }

    @Test
    void everyPositionSurvivesItsTextForm() {
        putEntities(1, 15);

        List<SourcePosition> positions = new ArrayList<>();
        positions.add(this.scanner.initialPosition());
        scanToCompletion(this.scanner, this.scanner.initialPosition(), SETTINGS)
            .forEach((batch) -> positions.add(batch.position()));

        OldStoreScanner<R, ID> other = createScanner();
        assertThat(positions).allSatisfy((position) -> {
            assertThat(other.parsePosition(position.text())).isEqualTo(position);
            assertThat(other.parsePosition(position.text()).text()).isEqualTo(position.text());
        });
    }

    @Test
    void aValueThatDoesNotDecodeIsARejectNamingItsKeyAndTheScanGoesOn() {
        ID bad = id(9);
        assumeTrue(putUnreadable(bad), "the store cannot hold a value its scanner does not decode");
        Map<String, String> names = putEntities(1, 8);
        names.putAll(putEntities(10, 20));

        List<SourceBatch<R, ID>> batches = scanToCompletion(this.scanner, this.scanner.initialPosition(), SETTINGS);

        List<ScannedEntry<R, ID>> entries = batches.stream().flatMap((batch) -> batch.entries().stream()).toList();
        assertThat(entries).filteredOn(ScannedEntry::isReject).isNotEmpty().allSatisfy((reject) -> {
            assertThat(reject.redisKey()).isEqualTo(this.scanner.keyOf(bad));
            assertThat(reject.problem()).isNotBlank();
            assertThat(reject.entity()).isNull();
        });
        Map<String, String> decoded = new LinkedHashMap<>();
        entries.stream()
            .filter((entry) -> !entry.isReject())
            .forEach((entry) -> decoded.put(entry.redisKey(), nameOf(entry.entity())));
        assertThat(decoded).isEqualTo(names);

        assertThat(this.scanner.read(List.of(this.scanner.keyOf(bad), this.scanner.keyOf(id(10))), SETTINGS))
            .satisfiesExactly((reject) -> {
                assertThat(reject.isReject()).isTrue();
                assertThat(reject.redisKey()).isEqualTo(this.scanner.keyOf(bad));
            }, (good) -> assertThat(nameOf(good.entity())).isEqualTo(names.get(this.scanner.keyOf(id(10)))));
        assertThat(this.scanner.existing(List.of(this.scanner.keyOf(bad)), SETTINGS))
            .containsExactly(this.scanner.keyOf(bad));
    }

    @Test
    void readReturnsPresentKeysInTheOrderAskedAndLeavesAbsentOnesOut() {
        Map<String, String> names = putEntities(1, 3);
        String absent = this.scanner.keyOf(id(50));

        List<ScannedEntry<R, ID>> read = this.scanner
            .read(List.of(this.scanner.keyOf(id(3)), absent, this.scanner.keyOf(id(1))), SETTINGS);

        assertThat(read).extracting(ScannedEntry::redisKey)
            .containsExactly(this.scanner.keyOf(id(3)), this.scanner.keyOf(id(1)));
        assertThat(read).allSatisfy((entry) -> {
            assertThat(entry.isReject()).isFalse();
            assertThat(entry.id()).isNotNull();
            assertThat(nameOf(entry.entity())).isEqualTo(names.get(entry.redisKey()));
            assertThat(this.scanner.keyOf(entry.id())).isEqualTo(entry.redisKey());
        });
        assertThat(this.scanner.read(List.of(), SETTINGS)).isEmpty();
    }

    @Test
    void existingNamesTheKeysThatExistNow() {
        putEntities(1, 4);
        delete(id(2));

        Set<String> existing = this.scanner.existing(List.of(this.scanner.keyOf(id(1)), this.scanner.keyOf(id(2)),
                this.scanner.keyOf(id(3)), this.scanner.keyOf(id(50)), this.scanner.keyOf(id(4))), SETTINGS);

        assertThat(existing).containsExactlyInAnyOrder(this.scanner.keyOf(id(1)), this.scanner.keyOf(id(3)),
                this.scanner.keyOf(id(4)));
        assertThat(keys(scanToCompletion(this.scanner, this.scanner.initialPosition(), SETTINGS)))
            .doesNotContain(this.scanner.keyOf(id(2)));
        assertThat(this.scanner.existing(List.of(), SETTINGS)).isEmpty();
    }

    @Test
    void anIdPatternSelectsTheKeysWhoseIdMatches() {
        putEntities(1, 30);
        List<String> expected = new ArrayList<>();
        for (int n = 1; n <= 30; n++) {
            if (String.valueOf(id(n)).endsWith("7")) {
                expected.add(this.scanner.keyOf(id(n)));
            }
        }

        ScanSettings endingIn7 = new ScanSettings("*7", 7, 7, 4, Duration.ofSeconds(10));
        Set<String> found = keys(scanToCompletion(this.scanner, this.scanner.initialPosition(), endingIn7));

        assertThat(found).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void anEmptyStoreCompletesWithoutEntries() {
        List<SourceBatch<R, ID>> batches = scanToCompletion(this.scanner, this.scanner.initialPosition(), SETTINGS);

        assertThat(batches).hasSizeLessThanOrEqualTo(stepsOverAnEmptyStore());
        assertThat(batches).allSatisfy((batch) -> assertThat(batch.entries()).isEmpty());
        assertThat(batches.get(batches.size() - 1).fraction()).isEqualTo(1.0);
        assertThat(this.scanner.size()).isIn(-1L, 0L);
    }

    /**
     * Put the entities {@code from} to {@code to} with names of their own.
     * @param from the first {@link #id} number
     * @param to the last, included
     * @return the names put, by key
     */
    protected final Map<String, String> putEntities(int from, int to) {
        Map<String, String> names = new LinkedHashMap<>();
        for (int n = from; n <= to; n++) {
            String name = "name " + n;
            put(id(n), name);
            names.put(this.scanner.keyOf(id(n)), name);
        }
        return names;
    }

    /**
     * Scan from a position until a batch is complete.
     * @param scanner the scanner
     * @param from where to start
     * @param settings the settings
     * @return every batch, the complete one last
     */
    protected final List<SourceBatch<R, ID>> scanToCompletion(OldStoreScanner<R, ID> scanner, SourcePosition from,
            ScanSettings settings) {
        List<SourceBatch<R, ID>> batches = new ArrayList<>();
        SourcePosition position = from;
        int maxSteps = maxSteps();
        for (int step = 0; step < maxSteps; step++) {
            SourceBatch<R, ID> batch = scanner.nextPage(position, settings);
            batches.add(batch);
            if (batch.complete()) {
                return batches;
            }
            position = batch.position();
        }
        throw new AssertionError("The scan did not complete in " + maxSteps + " steps");
    }

    private static <R, ID> Set<String> keys(List<SourceBatch<R, ID>> batches) {
        Function<ScannedEntry<R, ID>, String> key = ScannedEntry::redisKey;
        Set<String> keys = new LinkedHashSet<>();
        batches.forEach((batch) -> batch.entries().stream().map(key).forEach(keys::add));
        return keys;
    }

}
