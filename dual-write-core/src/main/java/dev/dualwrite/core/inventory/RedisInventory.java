package dev.dualwrite.core.inventory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.dualwrite.core.inventory.InventoryReport.BackfillEstimate;
import dev.dualwrite.core.inventory.InventoryReport.PartInventory;
import dev.dualwrite.core.inventory.InventoryReport.RepositoryInventory;
import dev.dualwrite.core.inventory.InventoryReport.StoreSummary;
import dev.dualwrite.core.inventory.InventoryReport.UnmatchedKeys;
import dev.dualwrite.core.redis.scan.KeyScanner;
import dev.dualwrite.core.redis.scan.KeyScanner.KeyFacts;
import dev.dualwrite.core.redis.scan.KeyScanner.KeyPage;
import dev.dualwrite.core.redis.scan.ScanPosition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.NonTransientDataAccessException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.Assert;

/**
 * The inventory of one Redis database (standalone or cluster) and the repositories whose keys
 * live there: one pass of {@code SCAN} over the keys the settings match, on every master,
 * filing each key under the most specific pattern of any repository, or among the keys of no
 * repository. Each page's keys get pipelined {@code TYPE} and {@code PTTL}; some keys of each
 * pattern (up to {@link InventorySettings#memorySampleKeys()}, a uniform sample of the whole
 * scan) also {@code MEMORY USAGE ... SAMPLES}. Pages wait for the rate limit before they are
 * inspected. A {@code @RedisHash} repository's entity count is {@code SCARD} of its keyspace
 * set, the ids its backfill reads.
 * <p>
 * A page that fails with a Redis error (a timeout, a dropped connection) is tried again from
 * its position, a few times with a growing pause, before the inventory gives up.
 * <p>
 * {@code SCAN} guarantees every key present for the whole scan is seen, and may see a key
 * twice while Redis resizes its table; keys written or deleted meanwhile may or may not be
 * counted. The figures are a snapshot of a live store, not an exact count.
 */
public final class RedisInventory implements InventorySource {

    private static final Logger logger = LoggerFactory.getLogger(RedisInventory.class);

    // Tries of one page: 0.2, 0.4, 0.8 and 1.6 s apart, 3 s of pauses in all, enough to ride
    // out a dropped connection or a quick failover, short of hiding an outage.
    static final int ATTEMPTS = 5;

    private static final Duration FIRST_PAUSE = Duration.ofMillis(200);

    private final String description;

    private final RedisConnectionFactory connectionFactory;

    private final KeyScanner scanner;

    private final List<RepositoryKeys> repositories;

    /**
     * @param description the store, for the report (e.g. {@code "Redis 10.0.0.5:6379, database 0"})
     * @param connectionFactory its connections (Lettuce)
     * @param repositories the repositories whose keys live there
     */
    public RedisInventory(String description, RedisConnectionFactory connectionFactory,
            List<RepositoryKeys> repositories) {
        Assert.hasText(description, "description must not be empty");
        Assert.notNull(connectionFactory, "connectionFactory must not be null");
        Assert.notNull(repositories, "repositories must not be null");
        this.description = description;
        this.connectionFactory = connectionFactory;
        this.scanner = new KeyScanner(connectionFactory);
        this.repositories = List.copyOf(repositories);
    }

    @Override
    public String describe() {
        return this.description;
    }

    @Override
    public List<String> repositories() {
        return this.repositories.stream().map(RepositoryKeys::repository).toList();
    }

    @Override
    public StoreInventory take(Set<String> wanted, InventorySettings settings, Consumer<ScanProgress> progress) {
        Map<KeyPattern, PartTally> tallies = new IdentityHashMap<>();
        this.repositories.forEach((keys) -> keys.patterns().forEach((p) -> tallies.put(p, new PartTally(p))));
        Unmatched unmatched = new Unmatched(settings.unmatchedExamples());
        KeyPacer pacer = new KeyPacer(settings.rateLimit());
        ScanPosition position = ScanPosition.initial();
        long scanned = 0;
        int masters = 1;
        boolean complete = false;
        while (!complete) {
            ScanPosition from = position;
            KeyPage page = retrying("SCAN", () -> this.scanner.scan(from, settings.match(), settings.scanCount(),
                    settings.pageSize(), settings.timeout()));
            List<@Nullable RepositoryKeys> owners = new ArrayList<>(page.keys().size());
            List<@Nullable PartTally> picked = new ArrayList<>(page.keys().size());
            BitSet measure = new BitSet(page.keys().size());
            int[] slots = new int[page.keys().size()];
            for (int i = 0; i < page.keys().size(); i++) {
                RepositoryKeys.Match match = classify(KeyScanner.decode(page.keys().get(i)));
                PartTally tally = (match != null) ? tallies.get(match.pattern()) : null;
                owners.add((match != null) ? match.keys() : null);
                picked.add(tally);
                slots[i] = (tally != null) ? tally.wantsMeasure(settings.memorySampleKeys()) : -1;
                measure.set(i, slots[i] >= 0);
            }
            pacer.acquire(page.keys().size());
            List<KeyFacts> facts = retrying("TYPE/PTTL/MEMORY USAGE", () -> this.scanner.inspect(page.keys(), measure,
                    settings.memorySamples(), settings.pipelineDepth(), settings.timeout()));
            for (int i = 0; i < facts.size(); i++) {
                KeyFacts fact = facts.get(i);
                PartTally tally = picked.get(i);
                if (tally == null) {
                    unmatched.add(fact);
                    continue;
                }
                // A key under a @RedisHash keyspace that is no hash is not an entity: filed apart.
                RepositoryKeys owner = owners.get(i);
                KeyPattern other = (owner != null) ? owner.other() : null;
                boolean misfiled = tally.pattern() == ((owner != null) ? owner.entities() : null) && other != null
                        && fact.exists() && !fact.type().equals(tally.pattern().expectedType());
                if (misfiled) {
                    tallies.get(other).addRefiled(fact, settings.memorySampleKeys());
                }
                else {
                    tally.add(fact, slots[i]);
                }
            }
            scanned += page.keys().size();
            masters = page.masters();
            position = page.position();
            complete = page.complete();
            progress.accept(new ScanProgress(this.description, scanned, complete ? 1 : page.fraction()));
        }
        List<RepositoryInventory> reported = new ArrayList<>();
        for (RepositoryKeys keys : this.repositories) {
            if (!wanted.contains(keys.repository())) {
                continue;
            }
            List<PartInventory> parts = keys.patterns()
                .stream()
                .map((pattern) -> tallies.get(pattern).result(settings.memorySamples()))
                .toList();
            long entities;
            String basis;
            if (keys.keyspace() != null) {
                entities = retrying("SCARD", () -> keyspaceSize(keys.keyspace()));
                basis = "SCARD " + keys.keyspace();
            }
            else {
                entities = tallies.get(keys.entities()).count();
                basis = "keys matching " + keys.entities().pattern();
            }
            reported.add(new RepositoryInventory(keys.repository(), this.description, keys.shape(), parts, entities,
                    basis, new BackfillEstimate(entities, null, null, BackfillEstimate.NOT_MEASURED)));
        }
        return new StoreInventory(new StoreSummary(this.description, settings.match(), scanned, masters,
                unmatched.result()), reported);
    }

    private long keyspaceSize(String keyspace) {
        try (RedisConnection connection = this.connectionFactory.getConnection()) {
            Long size = connection.setCommands().sCard(KeyScanner.encode(keyspace));
            return (size != null) ? size : 0;
        }
    }

    // Every step only reads, so repeating it from the same position is safe.
    private <T> T retrying(String step, Supplier<T> work) {
        Duration pause = FIRST_PAUSE;
        for (int attempt = 1;; attempt++) {
            try {
                return work.get();
            }
            catch (DataAccessException ex) {
                boolean transientFailure = !(ex instanceof NonTransientDataAccessException)
                        || ex instanceof DataAccessResourceFailureException;
                if (!transientFailure || attempt >= ATTEMPTS || Thread.currentThread().isInterrupted()) {
                    throw ex;
                }
                logger.warn("dual-write inventory: {} on {} failed ({}); trying again in {} ms (attempt {} of {})",
                        step, this.description, ex.getMessage(), pause.toMillis(), attempt + 1, ATTEMPTS);
                try {
                    // The pause is the back-off itself: there is no condition to wait for.
                    TimeUnit.MILLISECONDS.sleep(pause.toMillis());
                }
                catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw ex;
                }
                pause = pause.multipliedBy(2);
            }
        }
    }

    // The most specific claim wins: a JSON prefix "token:meta:" beats "token:" for its keys.
    private RepositoryKeys.@Nullable Match classify(String key) {
        RepositoryKeys.Match best = null;
        for (RepositoryKeys keys : this.repositories) {
            RepositoryKeys.Match match = keys.match(key);
            if (match != null && (best == null || match.specificity() > best.specificity())) {
                best = match;
            }
        }
        return best;
    }

    private static final class Unmatched {

        private final int examples;

        private long count;

        private final Map<String, Long> types = new TreeMap<>();

        private final List<String> names = new ArrayList<>();

        Unmatched(int examples) {
            this.examples = examples;
        }

        void add(KeyFacts facts) {
            if (!facts.exists()) {
                return;
            }
            this.count++;
            this.types.merge(facts.type(), 1L, Long::sum);
            if (this.names.size() < this.examples) {
                this.names.add(facts.name());
            }
        }

        UnmatchedKeys result() {
            return new UnmatchedKeys(this.count, Collections.unmodifiableMap(new LinkedHashMap<>(this.types)),
                    List.copyOf(this.names));
        }

    }

}
