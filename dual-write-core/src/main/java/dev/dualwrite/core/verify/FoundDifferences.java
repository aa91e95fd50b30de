package dev.dualwrite.core.verify;

import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dualwrite.core.verify.KeyComparison.Reading;

/**
 * The differences one verification found. A difference seen while the application writes
 * may be a write in flight, so each starts as a candidate (unless nothing can change it);
 * candidates are read again from both stores under their lock after the settle delay, a
 * thousand at a time ({@link KeyComparison#recheck}), and those still apart once more after
 * another settle delay: only a difference that persists ({@link KeyComparison#persists}) is
 * recorded, counted by kind, the first {@link VerifyOptions#maxDifferences()} kept. Two
 * readings, because the lock does not cover a write's primary store: the first may fall
 * between a write reaching its primary and its copy, which waits for that lock. Used by the
 * verifying thread only.
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
        settle(this.candidates.get(0).foundAt());
        List<Reading> apart = new ArrayList<>();
        for (Candidate candidate : this.candidates) {
            Reading reading = StoreCalls.retried(() -> this.comparison.recheck(candidate.key()));
            Difference difference = reading.difference();
            if (difference != null && difference.kind() == DifferenceKind.UNREADABLE_IN_REDIS) {
                confirmed(difference);
            }
            else if (difference != null) {
                apart.add(reading);
            }
        }
        this.candidates.clear();
        if (apart.isEmpty()) {
            return;
        }
        // A settle delay after the last of those readings: time for a copy waiting on a lock to land.
        settle(this.clock.millis());
        for (Reading earlier : apart) {
            Reading later = StoreCalls.retried(() -> this.comparison.recheck(earlier.difference().key()));
            if (this.comparison.persists(earlier, later)) {
                confirmed(later.difference());
            }
        }
    }

    private void settle(long since) {
        long wait = since + this.options.settleDelay().toMillis() - this.clock.millis();
        if (wait > 0) {
            try {
                Thread.sleep(wait);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Verification interrupted", ex);
            }
        }
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
