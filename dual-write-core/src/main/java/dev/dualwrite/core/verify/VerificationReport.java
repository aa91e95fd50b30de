package dev.dualwrite.core.verify;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one verification of a repository's two stores.
 * @param repository the repository name
 * @param strategy the strategy in force when the verification started
 * @param mode full, sampled or counts only
 * @param samplePercent share of keys compared (100 unless sampled)
 * @param startedAt when it started
 * @param finishedAt when it finished
 * @param redisKeys keys seen in Redis (sampled ones only, when sampled; in counts-only mode
 * the count, or -1 when Redis cannot count cheaply and no scan was made)
 * @param postgresRows rows seen in PostgreSQL (likewise)
 * @param compared keys held by both stores whose content was compared
 * @param counts differences by kind (every kind present, zero when none)
 * @param differences the differences, in the order found, at most the configured number
 * @param differencesTruncated whether more differences were found than are listed
 * @param pendingRepairs repair records pending per store to repair when the verification
 * finished ({@code null} when that log could not be read); keys listed there are already
 * queued for the reconciler
 * @param error why the verification did not complete, or {@code null} when it did
 */
public record VerificationReport(String repository, WriteStrategy strategy, VerifyMode mode, double samplePercent,
        Instant startedAt, Instant finishedAt, long redisKeys, long postgresRows, long compared,
        Map<DifferenceKind, Long> counts, List<Difference> differences, boolean differencesTruncated,
        Map<String, @Nullable Long> pendingRepairs, @Nullable String error) {

    /**
     * Return the number of differences of every kind.
     * @return the total
     */
    public long differenceCount() {
        return this.counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Return whether the stores agree: the verification completed and found no difference
     * (in counts-only mode: both stores hold as many keys).
     * @return whether the stores agree
     */
    public boolean agree() {
        if (this.error != null) {
            return false;
        }
        if (this.mode == VerifyMode.COUNTS_ONLY) {
            return this.redisKeys >= 0 && this.redisKeys == this.postgresRows;
        }
        return differenceCount() == 0;
    }

    /**
     * Return the keys read per second from both stores together.
     * @return the throughput
     */
    public double rowsPerSecond() {
        double seconds = Math.max(1, Duration.between(this.startedAt, this.finishedAt).toMillis()) / 1000.0;
        return (Math.max(0, this.redisKeys) + Math.max(0, this.postgresRows)) / seconds;
    }

    /**
     * Return a one-line summary for logs, without keys or values.
     * @return the summary
     */
    public String summary() {
        return String.format(Locale.ROOT,
                "repository '%s' (%s, %s%s): %s; %d Redis keys, %d PostgreSQL rows, %d compared; only in Redis %d, "
                        + "only in PostgreSQL %d, content %d, unreadable in Redis %d; %.0f keys/s in %s%s",
                this.repository, this.strategy, this.mode,
                (this.mode == VerifyMode.SAMPLED) ? String.format(Locale.ROOT, " %.2f%%", this.samplePercent)
                        : "",
                (this.error != null) ? "INCOMPLETE (" + this.error + ")" : (agree() ? "stores agree" : "stores DIFFER"),
                this.redisKeys, this.postgresRows, this.compared, this.counts.getOrDefault(DifferenceKind.ONLY_IN_REDIS, 0L),
                this.counts.getOrDefault(DifferenceKind.ONLY_IN_POSTGRES, 0L),
                this.counts.getOrDefault(DifferenceKind.CONTENT, 0L),
                this.counts.getOrDefault(DifferenceKind.UNREADABLE_IN_REDIS, 0L), rowsPerSecond(),
                Duration.between(this.startedAt, this.finishedAt), this.differencesTruncated
                        ? "; only the first " + this.differences.size() + " differences are listed" : "");
    }

}
