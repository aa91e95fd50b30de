package dev.dualwrite.core.inventory;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import dev.dualwrite.core.inventory.InventoryReport.MemoryEstimate;
import dev.dualwrite.core.inventory.InventoryReport.PartInventory;
import dev.dualwrite.core.redis.scan.KeyScanner.KeyFacts;

/**
 * Running counts of one key pattern during a scan.
 */
final class PartTally {

    private final KeyPattern pattern;

    private long count;

    private long expiring;

    private final Map<String, Long> types = new TreeMap<>();

    private long measuredKeys;

    private long measuredBytes;

    // Keys picked for measuring whose answer has not come back yet.
    private int pendingMeasures;

    PartTally(KeyPattern pattern) {
        this.pattern = pattern;
    }

    /**
     * Tell whether one more key should have its memory measured: the first keys of each
     * pattern the scan meets, which {@code SCAN}'s hash order makes a sample unrelated to
     * names or sizes.
     */
    boolean wantsMeasure(int sampleKeys) {
        if (this.measuredKeys + this.pendingMeasures < sampleKeys) {
            this.pendingMeasures++;
            return true;
        }
        return false;
    }

    void add(KeyFacts facts, boolean measured) {
        if (measured) {
            this.pendingMeasures--;
        }
        if (!facts.exists()) {
            return;
        }
        this.count++;
        this.types.merge(facts.type(), 1L, Long::sum);
        if (facts.expires()) {
            this.expiring++;
        }
        if (facts.memoryBytes() >= 0) {
            this.measuredKeys++;
            this.measuredBytes += facts.memoryBytes();
        }
    }

    PartInventory result(int samples) {
        double share = (this.count > 0) ? (double) this.expiring / this.count : 0;
        return new PartInventory(this.pattern.pattern(), this.pattern.role(), "keys", this.count,
                Collections.unmodifiableMap(new TreeMap<>(this.types)), this.pattern.expectedType(), this.expiring,
                share, MemoryEstimate.extrapolate(this.measuredBytes, this.measuredKeys, this.count, samples));
    }

}
