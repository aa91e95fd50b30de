package dev.dualwrite.core.inventory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.Assert;

/**
 * The inventory of one Redis database (standalone or cluster) and the repositories whose keys
 * live there: one pass of {@code SCAN} over the keys the settings match, on every master,
 * filing each key under the most specific pattern of any repository, or among the keys of no
 * repository. Each page's keys get pipelined {@code TYPE} and {@code PTTL}; the first keys of
 * each pattern (up to {@link InventorySettings#memorySampleKeys()}) also {@code MEMORY USAGE
 * ... SAMPLES}. Pages wait for the rate limit before they are inspected.
 * <p>
 * {@code SCAN} guarantees every key present for the whole scan is seen, and may see a key
 * twice while Redis resizes its table; keys written or deleted meanwhile may or may not be
 * counted. The figures are a snapshot of a live store, not an exact count.
 */
public final class RedisInventory implements InventorySource {

    private final String description;

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
        Assert.notNull(repositories, "repositories must not be null");
        this.description = description;
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
    public StoreInventory take(Set<String> wanted, InventorySettings settings) {
        Map<KeyPattern, PartTally> tallies = new IdentityHashMap<>();
        this.repositories.forEach((keys) -> keys.patterns().forEach((p) -> tallies.put(p, new PartTally(p))));
        Unmatched unmatched = new Unmatched(settings.unmatchedExamples());
        KeyPacer pacer = new KeyPacer(settings.rateLimit());
        ScanPosition position = ScanPosition.initial();
        long scanned = 0;
        int masters = 1;
        boolean complete = false;
        while (!complete) {
            KeyPage page = this.scanner.scan(position, settings.match(), settings.scanCount(), settings.pageSize(),
                    settings.timeout());
            List<@Nullable PartTally> owners = new ArrayList<>(page.keys().size());
            Set<String> measure = new HashSet<>();
            for (String key : page.keys()) {
                KeyPattern pattern = classify(key);
                PartTally tally = (pattern != null) ? tallies.get(pattern) : null;
                owners.add(tally);
                if (tally != null && tally.wantsMeasure(settings.memorySampleKeys())) {
                    measure.add(key);
                }
            }
            pacer.acquire(page.keys().size());
            List<KeyFacts> facts = this.scanner.inspect(page.keys(), measure, settings.memorySamples(),
                    settings.pipelineDepth(), settings.timeout());
            for (int i = 0; i < facts.size(); i++) {
                KeyFacts fact = facts.get(i);
                PartTally owner = owners.get(i);
                if (owner != null) {
                    owner.add(fact, measure.contains(fact.key()));
                }
                else {
                    unmatched.add(fact);
                }
            }
            scanned += page.keys().size();
            masters = page.masters();
            position = page.position();
            complete = page.complete();
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
            reported.add(new RepositoryInventory(keys.repository(), this.description, keys.shape(), parts,
                    new BackfillEstimate(0, null, null, BackfillEstimate.NOT_MEASURED)));
        }
        return new StoreInventory(new StoreSummary(this.description, settings.match(), scanned, masters,
                unmatched.result()), reported);
    }

    // The most specific claim wins: a JSON prefix "token:meta:" beats "token:" for its keys.
    private @Nullable KeyPattern classify(String key) {
        RepositoryKeys.Match best = null;
        for (RepositoryKeys keys : this.repositories) {
            RepositoryKeys.Match match = keys.match(key);
            if (match != null && (best == null || match.specificity() > best.specificity())) {
                best = match;
            }
        }
        return (best != null) ? best.pattern() : null;
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
                this.names.add(facts.key());
            }
        }

        UnmatchedKeys result() {
            return new UnmatchedKeys(this.count, Collections.unmodifiableMap(new LinkedHashMap<>(this.types)),
                    List.copyOf(this.names));
        }

    }

}
