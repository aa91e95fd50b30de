package dev.dualwrite.core.backfill;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.dualwrite.core.backfill.PostgresBatchWriter.CurrentValue;
import dev.dualwrite.core.backfill.PostgresBatchWriter.Outcome;
import dev.dualwrite.core.backfill.PostgresBatchWriter.PreparedRow;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.store.scan.RawEntry;
import dev.dualwrite.core.store.scan.ScanSettings;
import dev.dualwrite.core.store.scan.ScannedEntry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer stage's work on one batch, on a writer thread: decode the Redis replies, map
 * each entity to its row, convert the row for JDBC, then write the batch race-safely
 * ({@link PostgresBatchWriter}). Decoding here rather than in the scanning thread is what
 * lets the CPU-heavy part (JSON, mapping, conversions) run on every writer at once; a value
 * that fails any step is set aside and the rest of the batch goes on.
 * @param <R> the Redis entity type
 * @param <P> the PostgreSQL entity type
 * @param <ID> the id type
 */
final class BatchCopier<R, P, ID> {

    private static final Logger logger = LoggerFactory.getLogger(Backfill.class);

    private final BackfillSource<R, P, ID> source;

    private final BackfillOptions options;

    private final ScanSettings settings;

    private final RunProgress progress;

    private final RejectRecorder rejects;

    private final BackfillMetrics metrics;

    private final Retries retries;

    BatchCopier(BackfillSource<R, P, ID> source, BackfillOptions options, RunProgress progress,
            RejectRecorder rejects, BackfillMetrics metrics, Retries retries) {
        this.source = source;
        this.options = options;
        this.settings = options.scanSettings();
        this.progress = progress;
        this.rejects = rejects;
        this.metrics = metrics;
        this.retries = retries;
    }

    /** Copy one batch; throws only when a store keeps failing (after the retries). */
    void copy(List<RawEntry> batch) {
        List<ScannedEntry<R, ID>> entries = this.source.scanner().decode(batch);
        List<PreparedRow<P>> rows = prepare(entries);
        String name = this.source.name();
        if (this.options.dryRun()) {
            Set<String> present = this.retries.call("read PostgreSQL", () -> this.source.writer().present(rows));
            // A dry catch-up counts the present rows that differ as "would be refreshed"; it
            // cannot tell without Redis's current values which of them a run would remove.
            int stale = this.options.catchUp() ? this.retries.call("read PostgreSQL",
                    () -> this.source.writer().countStale(rows.stream().filter((row) -> present.contains(row.key())).toList()))
                    : 0;
            this.progress.written.addAndGet(rows.size() - present.size());
            this.progress.skipped.addAndGet(present.size() - stale);
            this.progress.refreshed.addAndGet(stale);
            return;
        }
        write(rows, new RawValues<>(entries));
        this.metrics.rows(name, batch.size(), 0, 0, 0);
    }

    private List<PreparedRow<P>> prepare(List<ScannedEntry<R, ID>> entries) {
        DualRepository<R, P, ID> repository = this.source.repository();
        List<PreparedRow<P>> rows = new ArrayList<>(entries.size());
        // The keys' expiries, read just after their values (one round trip per batch).
        Map<String, Long> pttls = this.retries.call("read Redis expiries", () -> repository.expiry()
            .pttls(entries.stream().filter((entry) -> !entry.isReject()).map(ScannedEntry::redisKey).toList()));
        Instant now = Instant.now();
        for (ScannedEntry<R, ID> entry : entries) {
            if (entry.isReject()) {
                this.rejects.reject(entry.redisKey(), String.valueOf(entry.problem()), entry.rawValue());
                continue;
            }
            String nonCanonical = this.options.catchUp() ? nonCanonical(this.source, entry) : null;
            if (nonCanonical != null) {
                this.rejects.reject(entry.redisKey(), nonCanonical, entry.rawValue());
                continue;
            }
            try {
                Optional<P> row = repository.expiry()
                    .withPttl(repository.mapping().toPostgres(entry.entity()), pttls.get(entry.redisKey()), now);
                if (row.isEmpty()) {
                    // Expired since it was read: nothing to copy.
                    this.progress.skipped.incrementAndGet();
                    this.metrics.rows(this.source.name(), 0, 0, 1, 0);
                    continue;
                }
                rows.add(this.source.writer().prepare(repository.keyOf(entry.id()), entry.redisKey(), row.get()));
            }
            catch (RuntimeException ex) {
                this.rejects.reject(entry.redisKey(), unmappable(ex), entry.rawValue());
            }
        }
        return rows;
    }

    // token:007 decodes to id 7, whose key is token:7: the application never reads it, and the
    // catch-up's sweep, which finds keys from ids, would delete its row on every run. Set
    // aside with its value kept, rather than written and removed again.
    static <R, ID> @Nullable String nonCanonical(BackfillSource<R, ?, ID> source, ScannedEntry<R, ID> entry) {
        String canonical = source.scanner().keyOf(entry.id());
        return canonical.equals(entry.redisKey()) ? null : "the key is not the one its id maps to (" + canonical
                + "): the application never reads it, and a catch-up would remove its row again";
    }

    static String unmappable(RuntimeException ex) {
        return "the entity does not map to a PostgreSQL row (" + ex.getClass().getSimpleName() + ")";
    }

    private void write(List<PreparedRow<P>> rows, RawValues<R, ID> rawValues) {
        String name = this.source.name();
        for (int attempt = 1;; attempt++) {
            long start = System.nanoTime();
            try {
                Outcome outcome = this.source.writer().write(rows,
                        (keys) -> this.source.scanner().existing(keys, this.settings),
                        this.options.catchUp() ? this::currentValues : null);
                this.metrics.batch(name, System.nanoTime() - start, true);
                long skippedRows = outcome.present().size() + outcome.vanished().size();
                this.progress.written.addAndGet(outcome.written().size());
                this.progress.skipped.addAndGet(skippedRows);
                this.progress.refreshed.addAndGet(outcome.refreshed().size());
                this.progress.removed.addAndGet(outcome.removed().size());
                this.metrics.rows(name, 0, outcome.written().size(), skippedRows, 0);
                this.metrics.caughtUp(name, outcome.refreshed().size(), outcome.removed().size());
                if (!outcome.unreadable().isEmpty()) {
                    setAsideUnreadable(rows, outcome.unreadable());
                }
                return;
            }
            catch (RuntimeException ex) {
                this.metrics.batch(name, System.nanoTime() - start, false);
                if (BackfillErrors.isDataProblem(ex)) {
                    setAsideCulprits(rows, rawValues, ex);
                    return;
                }
                if (!this.retries.shouldRetry(attempt)) {
                    throw ex;
                }
                logger.warn("dual-write: backfill of '{}' failed to write a batch (attempt {} of {}), retrying: {}",
                        name, attempt, this.options.attempts(), BackfillErrors.describe(ex));
                this.retries.pause(attempt);
            }
        }
    }

    // A catch-up's re-read found values that no longer decode: their rows stay as they are
    // and the keys are set aside, as a scan would have set them aside.
    private void setAsideUnreadable(List<PreparedRow<P>> rows, Map<String, String> unreadable) {
        for (PreparedRow<P> row : rows) {
            String problem = unreadable.get(row.key());
            if (problem != null) {
                this.rejects.reject(row.redisKey(), problem, null);
            }
        }
    }

    // The catch-up's re-read, under the batch's locks: Redis's current value of each key that
    // still exists, mapped to its row as the scan's values are, with the key's expiry from a
    // PTTL read after the values (as the scan's rows have theirs): a row written without it
    // would lose its expiry. A key that expired between its value and its PTTL is gone.
    private Map<String, CurrentValue<P>> currentValues(Collection<String> redisKeys) {
        return currentValues(this.source, redisKeys, this.settings);
    }

    static <R, P, ID> Map<String, CurrentValue<P>> currentValues(BackfillSource<R, P, ID> source,
            Collection<String> redisKeys, ScanSettings settings) {
        DualRepository<R, P, ID> repository = source.repository();
        Map<String, CurrentValue<P>> current = new HashMap<>();
        List<ScannedEntry<R, ID>> entries = source.scanner().read(redisKeys, settings);
        Map<String, Long> pttls = repository.expiry()
            .pttls(entries.stream().filter((entry) -> !entry.isReject()).map(ScannedEntry::redisKey).toList());
        Instant now = Instant.now();
        for (ScannedEntry<R, ID> entry : entries) {
            if (entry.isReject()) {
                current.put(entry.redisKey(), new CurrentValue<>(null, String.valueOf(entry.problem())));
                continue;
            }
            try {
                repository.expiry()
                    .withPttl(repository.mapping().toPostgres(entry.entity()), pttls.get(entry.redisKey()), now)
                    .ifPresent((row) -> current.put(entry.redisKey(), new CurrentValue<>(row, null)));
            }
            catch (RuntimeException ex) {
                current.put(entry.redisKey(), new CurrentValue<>(null, unmappable(ex)));
            }
        }
        return current;
    }

    // PostgreSQL refused the batch because of some row's data: write the rows one by one to
    // find the culprits; the others are still written.
    private void setAsideCulprits(List<PreparedRow<P>> rows, RawValues<R, ID> rawValues, RuntimeException ex) {
        if (rows.size() == 1) {
            PreparedRow<P> row = rows.get(0);
            this.rejects.reject(row.redisKey(), "PostgreSQL refused the row: " + BackfillErrors.sqlProblem(ex),
                    rawValues.of(row.redisKey()));
            return;
        }
        for (PreparedRow<P> row : rows) {
            write(List.of(row), rawValues);
        }
    }

    /** The values as read, by Redis key, for the rejects table; indexed only when PostgreSQL refuses a row. */
    private static final class RawValues<R, ID> {

        private final List<ScannedEntry<R, ID>> entries;

        private @Nullable Map<String, @Nullable String> byKey;

        RawValues(List<ScannedEntry<R, ID>> entries) {
            this.entries = entries;
        }

        @Nullable String of(String redisKey) {
            Map<String, @Nullable String> index = this.byKey;
            if (index == null) {
                index = new HashMap<>();
                for (ScannedEntry<R, ID> entry : this.entries) {
                    index.put(entry.redisKey(), entry.rawValue());
                }
                this.byKey = index;
            }
            return index.get(redisKey);
        }

    }

}
