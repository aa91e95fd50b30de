package dev.dualwrite.core.inventory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What the old store holds, taken before a migration: per paired repository and per key
 * pattern the number of keys, their Redis types, the share that expires and the memory they
 * use (an estimate from a sample), the keys of no repository per store, and the time a
 * backfill would take at the last measured rate. A repository of a JDBC old store has tables
 * instead of key patterns: each with its exact row count and its size as the database reports
 * it; key types, expiry, memory and keys of no repository do not apply to it and are absent.
 * @param takenAt when the inventory started
 * @param duration how long it took
 * @param repositories the repositories, in the order asked
 * @param stores the stores scanned, with the keys that belong to no repository
 */
public record InventoryReport(Instant takenAt, Duration duration, List<RepositoryInventory> repositories,
        List<StoreSummary> stores) {

    /**
     * Return the report as text, as the one-shot run prints it.
     * @return the text, several lines
     */
    public String toText() {
        return InventoryText.render(this);
    }

    /**
     * One repository.
     * @param repository its name
     * @param store the store its data lives in
     * @param shape how it keeps its entities, e.g. {@code JSON strings under 'token:'}
     * @param parts its key patterns, entities first; empty for a JDBC store, whose data is in
     * {@code tables}
     * @param entities the entities, the rows a backfill copies: for a {@code @RedisHash}
     * repository the size of its keyspace set (the ids the backfill reads), which may differ
     * from the entity hashes scanned; for JSON strings the keys under the prefix; for a JDBC
     * store the rows of its table
     * @param entitiesBasis where {@code entities} comes from, e.g. {@code SCARD crates}
     * @param backfill how long copying its entities would take
     * @param tables the tables of a JDBC store's repository; empty for Redis
     */
    public record RepositoryInventory(String repository, String store, String shape, List<PartInventory> parts,
            long entities, String entitiesBasis, BackfillEstimate backfill, List<TableInventory> tables) {

        /**
         * A repository of a Redis store: key patterns, no tables.
         * @param repository its name
         * @param store the store its data lives in
         * @param shape how it keeps its entities
         * @param parts its key patterns, entities first
         * @param entities the entities, the rows a backfill copies
         * @param entitiesBasis where {@code entities} comes from
         * @param backfill how long copying its entities would take
         */
        public RepositoryInventory(String repository, String store, String shape, List<PartInventory> parts,
                long entities, String entitiesBasis, BackfillEstimate backfill) {
            this(repository, store, shape, parts, entities, entitiesBasis, backfill, List.of());
        }

        /** Return the estimated memory of all its key patterns, in bytes (0 for a JDBC store: see {@link #tables()}). */
        public long memoryBytes() {
            return this.parts.stream().mapToLong((part) -> part.memory().bytes()).sum();
        }

        RepositoryInventory withBackfill(BackfillEstimate estimate) {
            return new RepositoryInventory(this.repository, this.store, this.shape, this.parts, this.entities,
                    this.entitiesBasis, estimate, this.tables);
        }

    }

    /**
     * One table of a JDBC old store.
     * @param table its name, qualified as the mapping names it
     * @param rows its rows, counted exactly ({@code count(*)})
     * @param bytes its size on disk as the database reports it (PostgreSQL: table, indexes and
     * TOAST; SQLite: the pages of the table and its indexes), {@code null} when the database
     * cannot say
     * @param sizeBasis how {@code bytes} was obtained, or why it is unknown
     */
    public record TableInventory(String table, long rows, @Nullable Long bytes, String sizeBasis) {
    }

    /**
     * The keys of one pattern.
     * @param pattern the pattern, in {@code SCAN MATCH} glob form
     * @param role what the keys are to the repository
     * @param unit what {@code count} counts: {@code keys} (a JDBC store: {@code rows})
     * @param count how many keys there are
     * @param types keys per Redis type ({@code TYPE}), e.g. {@code {hash=1200}}
     * @param expectedType the type the keys should have; {@code types} shows any other
     * @param expiring keys with a time to live
     * @param expiringShare {@code expiring} as a share of {@code count}, from 0 to 1 (0 without keys)
     * @param memory the memory they use
     */
    public record PartInventory(String pattern, KeyRole role, String unit, long count, Map<String, Long> types,
            String expectedType, long expiring, double expiringShare, MemoryEstimate memory) {

    }

    /**
     * Memory used by the keys of a part: {@code MEMORY USAGE key SAMPLES n} of some of them,
     * averaged and multiplied by the number of keys.
     * @param bytes the total, in bytes
     * @param estimated whether {@code bytes} is an estimate: extrapolated from fewer keys than
     * the part has, or from Redis's own sampling of nested values (always, unless every key
     * was measured with {@code SAMPLES 0})
     * @param measuredKeys keys measured
     * @param keys keys in the part
     * @param samples the {@code SAMPLES} argument (nested values Redis looked at per key; 0: all)
     * @param basis how the figure was obtained, e.g.
     * {@code "estimate: MEMORY USAGE SAMPLES 5 of 200 of 5,000 keys, extrapolated"}
     */
    public record MemoryEstimate(long bytes, boolean estimated, long measuredKeys, long keys, int samples,
            String basis) {

        /**
         * Extrapolate measured keys to a part.
         * @param measuredBytes the memory of the measured keys together
         * @param measuredKeys keys measured
         * @param keys keys in the part
         * @param samples the {@code SAMPLES} argument used
         * @return the estimate
         */
        static MemoryEstimate extrapolate(long measuredBytes, long measuredKeys, long keys, int samples) {
            if (keys == 0 || measuredKeys == 0) {
                return new MemoryEstimate(0, keys > 0, measuredKeys, keys, samples,
                        (keys == 0) ? "no keys" : "not measured");
            }
            long bytes = Math.round((double) measuredBytes / measuredKeys * keys);
            boolean estimated = measuredKeys < keys || samples > 0;
            String basis = String.format(Locale.ROOT, "%s: MEMORY USAGE SAMPLES %d of %,d of %,d keys%s",
                    estimated ? "estimate" : "measured", samples, measuredKeys, keys,
                    (measuredKeys < keys) ? ", extrapolated" : "");
            return new MemoryEstimate(bytes, estimated, measuredKeys, keys, samples, basis);
        }

    }

    /**
     * How long a backfill of a repository's entities would take.
     * @param rows the entities to copy
     * @param rowsPerSecond the last measured rate, {@code null} when none was measured
     * @param time the estimate, {@code null} without a rate
     * @param basis where the rate comes from, or {@code "no backfill measured yet"}
     */
    public record BackfillEstimate(long rows, @Nullable Double rowsPerSecond, @Nullable Duration time, String basis) {

        /** The text of an estimate without a measured rate. */
        public static final String NOT_MEASURED = "no backfill measured yet";

    }

    /**
     * One store scanned.
     * @param store its description
     * @param match the part of it scanned ({@code SCAN MATCH} glob); {@code null} for a
     * database, whose tables are counted, not scanned by key
     * @param scanned keys looked at; for a database the rows counted
     * @param masters Redis masters scanned (1 without a cluster); 0 for a database
     * @param unmatched keys that belong to no paired repository; {@code null} for a database,
     * where the tables of no repository are not looked for
     */
    public record StoreSummary(String store, @Nullable String match, long scanned, int masters,
            @Nullable UnmatchedKeys unmatched) {
    }

    /**
     * Keys of no paired repository: left behind, or another application's.
     * @param count how many
     * @param types how many of each Redis type
     * @param examples a few of their names (never values)
     */
    public record UnmatchedKeys(long count, Map<String, Long> types, List<String> examples) {
    }

}
