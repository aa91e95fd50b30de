package dev.dualwrite.core.backfill;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import dev.dualwrite.core.backfill.CatchUpWriter.GoneRow;
import dev.dualwrite.core.redis.scan.RedisEntityScanner;
import dev.dualwrite.core.redis.scan.ScanSettings;
import dev.dualwrite.core.routing.DualRepository;
import dev.dualwrite.core.store.PostgresSide;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catch-up's second phase: rows whose key is gone from Redis, which no scan of Redis can
 * find. Walks the table's ids in keyset pages (primary key order, one index range scan per
 * page), asks Redis which of their keys exist (a multi-key {@code EXISTS}), and deletes the
 * rows of the missing ones under their keys' locks after asking Redis again
 * ({@link PostgresBatchWriter#removeGone}). Paused, stopped and throttled like the scan; not
 * checkpointed: a run resumed after it started walks the ids again from the first, which
 * reads PostgreSQL's index and Redis's key space but writes only what is still to remove.
 * @param <R> the Redis entity type
 * @param <P> the PostgreSQL entity type
 * @param <ID> the id type
 */
final class GoneKeysSweep<R, P, ID> {

    private static final Logger logger = LoggerFactory.getLogger(Backfill.class);

    private final BackfillSource<R, P, ID> source;

    private final BackfillOptions options;

    private final RunStatus status;

    private final BackfillControl control;

    private final RunProgress progress;

    private final Retries retries;

    private final BackfillMetrics metrics;

    private final @Nullable Pattern idPattern;

    GoneKeysSweep(BackfillSource<R, P, ID> source, BackfillOptions options, RunStatus status, BackfillControl control,
            RunProgress progress, Retries retries, BackfillMetrics metrics) {
        this.source = source;
        this.options = options;
        this.status = status;
        this.control = control;
        this.progress = progress;
        this.retries = retries;
        this.metrics = metrics;
        this.idPattern = "*".equals(options.keyPattern()) ? null : globToRegex(options.keyPattern());
    }

    /**
     * Remove (in a dry run: count) the rows whose key Redis does not hold.
     * @return whether every id was checked (not stopped, not failed)
     */
    boolean run() throws InterruptedException {
        DualRepository<R, P, ID> repository = this.source.repository();
        PostgresSide<P, ID> side = repository.postgres();
        RedisEntityScanner<R, ID> scanner = this.source.scanner();
        ScanSettings settings = this.options.scanSettings();
        int pageSize = this.options.batchSize();
        long checked = 0;
        long before = this.progress.removed.get();
        ID after = null;
        logger.info("dual-write: catch-up of '{}' looks for rows whose key is gone from Redis", this.source.name());
        while (!this.status.shouldStop()) {
            this.control.awaitResumed(() -> this.status.state(BackfillState.PAUSED), this.status::hasFailed);
            if (this.status.shouldStop()) {
                break;
            }
            this.status.state(BackfillState.RUNNING);
            ID from = after;
            List<ID> ids = this.retries.call("read PostgreSQL's ids", () -> side.idsAfter(from, pageSize));
            if (ids.isEmpty()) {
                return done(checked, before);
            }
            after = ids.get(ids.size() - 1);
            List<GoneRow> candidates = new ArrayList<>(ids.size());
            for (ID id : ids) {
                String key = repository.keyOf(id);
                if (this.idPattern == null || this.idPattern.matcher(key).matches()) {
                    candidates.add(new GoneRow(key, scanner.keyOf(id), id));
                }
            }
            // Rows checked count against the limit too: each is a key asked of Redis.
            this.control.limiter().acquire(candidates.size(), this.status::shouldStop);
            checked += candidates.size();
            Set<String> existing = this.retries.call("ask Redis which keys exist",
                    () -> scanner.existing(candidates.stream().map(GoneRow::redisKey).toList(), settings));
            List<GoneRow> missing = candidates.stream().filter((row) -> !existing.contains(row.redisKey())).toList();
            if (!missing.isEmpty()) {
                if (this.options.dryRun()) {
                    this.progress.removed.addAndGet(missing.size());
                }
                else {
                    Set<String> removed = this.retries.call("delete rows whose key is gone",
                            () -> this.source.writer().removeGone(missing, (keys) -> scanner.existing(keys, settings)));
                    this.progress.removed.addAndGet(removed.size());
                    this.metrics.caughtUp(this.source.name(), 0, removed.size());
                }
            }
            if (ids.size() < pageSize) {
                return done(checked, before);
            }
        }
        return false;
    }

    private boolean done(long checked, long before) {
        logger.info("dual-write: catch-up of '{}' checked {} rows in Redis, {} {} whose key is gone", this.source.name(),
                checked, this.progress.removed.get() - before, this.options.dryRun() ? "found" : "removed");
        return true;
    }

    // SCAN MATCH's glob, over the id part of a key: * ? [set] [^set] [a-z] and \ escapes.
    static Pattern globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                case '\\' -> {
                    if (i + 1 < glob.length()) {
                        regex.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                    }
                }
                case '[' -> {
                    int end = glob.indexOf(']', i + 2);
                    if (end < 0) {
                        regex.append(Pattern.quote("["));
                        break;
                    }
                    String set = glob.substring(i + 1, end);
                    boolean negated = set.startsWith("^");
                    regex.append('[').append(negated ? "^" : "");
                    for (char member : (negated ? set.substring(1) : set).toCharArray()) {
                        // A range's dash stays; any other non-alphanumeric is escaped, which Java allows.
                        if (member != '-' && !Character.isLetterOrDigit(member)) {
                            regex.append('\\');
                        }
                        regex.append(member);
                    }
                    regex.append(']');
                    i = end;
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

}
