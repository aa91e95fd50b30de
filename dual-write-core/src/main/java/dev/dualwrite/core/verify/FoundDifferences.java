package dev.dualwrite.core.verify;

import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The differences one verification found. A difference seen while the application writes
 * may be a write in flight, so each starts as a candidate (unless nothing can change it);
 * candidates are read again from both stores after the settle delay, a thousand at a time
 * ({@link KeyComparison#recheck}), and only those still there are recorded: counted by kind,
 * the first {@link VerifyOptions#maxDifferences()} kept. Used by the verifying thread only.
 */
final class FoundDifferences {

    private static final int RECHECK_BATCH = 1000;

    private final VerifyOptions options;

    private final KeyComparison<?, ?, ?> comparison;

    private final Clock clock;

    private final List<Candidate> candidates = new ArrayList<>();

    private final Map<DifferenceKind, Long> counts = new EnumMap<>(DifferenceKind.class);

    private final Map<String, Difference> kept = new LinkedHashMap<>();

    private boolean truncated;

    FoundDifferences(VerifyOptions options, KeyComparison<?, ?, ?> comparison, Clock clock) {
        this.options = options;
        this.comparison = comparison;
        this.clock = clock;
        for (DifferenceKind kind : DifferenceKind.values()) {
            this.counts.put(kind, 0L);
        }
    }

    /** Note a key that differed when first compared. */
    void candidate(String key) {
        this.candidates.add(new Candidate(key, this.clock.millis()));
        if (this.candidates.size() >= RECHECK_BATCH) {
            recheckCandidates();
        }
    }

    /** Read every candidate again once its settle delay has passed, and record those that still differ. */
    void recheckCandidates() {
        if (this.candidates.isEmpty()) {
            return;
        }
        long wait = this.candidates.get(0).foundAt() + this.options.settleDelay().toMillis() - this.clock.millis();
        if (wait > 0) {
            try {
                Thread.sleep(wait);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Verification interrupted", ex);
            }
        }
        for (Candidate candidate : this.candidates) {
            Difference difference = StoreCalls.retried(() -> this.comparison.recheck(candidate.key()));
            if (difference != null) {
                confirmed(difference);
            }
        }
        this.candidates.clear();
    }

    /** Return how many differences were recorded. */
    long total() {
        return this.counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Return the number of differences of each kind. */
    Map<DifferenceKind, Long> counts() {
        return Map.copyOf(this.counts);
    }

    /** Return the differences kept, in the order found. */
    List<Difference> kept() {
        return List.copyOf(this.kept.values());
    }

    /** Return whether more differences were found than kept. */
    boolean truncated() {
        return this.truncated;
    }

    /** Record a difference that needs no re-check. */
    void confirmed(Difference difference) {
        if (this.kept.containsKey(difference.key())) {
            return;
        }
        this.counts.merge(difference.kind(), 1L, Long::sum);
        if (this.kept.size() < this.options.maxDifferences()) {
            this.kept.put(difference.key(), difference);
        }
        else {
            this.truncated = true;
        }
    }

    private record Candidate(String key, long foundAt) {
    }

}
