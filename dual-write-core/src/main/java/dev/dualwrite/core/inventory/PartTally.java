package dev.dualwrite.core.inventory;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import dev.dualwrite.core.inventory.InventoryReport.MemoryEstimate;
import dev.dualwrite.core.inventory.InventoryReport.PartInventory;
import dev.dualwrite.core.redis.scan.KeyScanner.KeyFacts;

/**
 * Running counts of one key pattern during a scan, with a uniform sample of its keys' memory:
 * reservoir sampling over every key of the pattern the scan meets, so that the sample does
 * not lean on the first pages (the oldest slots of the hash table, or one master of a
 * cluster).
 */
final class PartTally {

    private final KeyPattern pattern;

    private long count;

    private long expiring;

    private final Map<String, Long> types = new TreeMap<>();

    // Keys of the pattern offered to the sample so far, and the sample itself.
    private long offered;

    private long[] sample = new long[0];

    private int sampled;

    PartTally(KeyPattern pattern) {
        this.pattern = pattern;
    }

    KeyPattern pattern() {
        return this.pattern;
    }

    /**
     * Offer one more key of the pattern to the memory sample (algorithm R): the first
     * {@code sampleKeys} keys are taken, then the k-th with probability {@code sampleKeys/k},
     * in place of a random one.
     * @return the slot its memory goes to, or -1 when it is not to be measured
     */
    int wantsMeasure(int sampleKeys) {
        if (sampleKeys <= 0) {
            return -1;
        }
        this.offered++;
        if (this.offered <= sampleKeys) {
            return (int) this.offered - 1;
        }
        long slot = ThreadLocalRandom.current().nextLong(this.offered);
        return (slot < sampleKeys) ? (int) slot : -1;
    }

    /**
     * Count a key.
     * @param facts what Redis said about it
     * @param slot its slot in the memory sample, or -1 when it was not measured
     */
    void add(KeyFacts facts, int slot) {
        if (!facts.exists()) {
            return;
        }
        this.count++;
        this.types.merge(facts.type(), 1L, Long::sum);
        if (facts.expires()) {
            this.expiring++;
        }
        if (slot >= 0 && facts.memoryBytes() >= 0) {
            record(slot, facts.memoryBytes());
        }
    }

    /**
     * Count a key measured on behalf of another pattern (filed here once its type was known):
     * its memory, if measured, is offered to this pattern's own sample.
     */
    void addRefiled(KeyFacts facts, int sampleKeys) {
        add(facts, -1);
        if (facts.exists() && facts.memoryBytes() >= 0) {
            int slot = wantsMeasure(sampleKeys);
            if (slot >= 0) {
                record(slot, facts.memoryBytes());
            }
        }
    }

    private void record(int slot, long bytes) {
        if (slot < this.sampled) {
            this.sample[slot] = bytes;
            return;
        }
        // A key gone before it was measured leaves its slot to the next one.
        if (this.sampled == this.sample.length) {
            this.sample = Arrays.copyOf(this.sample, Math.max(8, this.sample.length * 2));
        }
        this.sample[this.sampled++] = bytes;
    }

    long count() {
        return this.count;
    }

    PartInventory result(int samples) {
        double share = (this.count > 0) ? (double) this.expiring / this.count : 0;
        long measuredBytes = 0;
        for (int i = 0; i < this.sampled; i++) {
            measuredBytes += this.sample[i];
        }
        // Never more measured keys than keys counted (a key may be seen twice while Redis resizes).
        long measuredKeys = Math.min(this.sampled, this.count);
        long bytes = (this.sampled > measuredKeys && this.sampled > 0) ? measuredBytes / this.sampled * measuredKeys
                : measuredBytes;
        return new PartInventory(this.pattern.pattern(), this.pattern.role(), "keys", this.count,
                Collections.unmodifiableMap(new TreeMap<>(this.types)), this.pattern.expectedType(), this.expiring,
                share, MemoryEstimate.extrapolate(bytes, measuredKeys, this.count, samples));
    }

}
