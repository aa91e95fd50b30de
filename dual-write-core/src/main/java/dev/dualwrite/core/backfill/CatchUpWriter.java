package dev.dualwrite.core.backfill;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.dualwrite.core.backfill.PostgresBatchWriter.CurrentValue;
import dev.dualwrite.core.backfill.PostgresBatchWriter.PreparedRow;
import dev.dualwrite.core.compare.EntityComparator;
import dev.dualwrite.core.store.PostgresSide;
import org.jspecify.annotations.Nullable;

/**
 * The catch-up's part of a batch ({@link BackfillMode#CATCH_UP}), run inside the batch's
 * transaction while it holds the keys' advisory locks: brings present rows that differ from
 * Redis up to date, and removes rows whose key Redis no longer holds.
 * <p>
 * The values a batch carries were read from Redis before its locks were taken, so they may be
 * older than what a live write has copied since: writing them would go backwards. They only
 * pick the candidates. A row that differs from its value as read is compared with Redis's
 * current value, re-read under the lock, and that current value is written (or the row
 * deleted when the key is gone): the rule of every live secondary write, which copies the
 * primary's current state under the key's lock. A Redis write after the re-read copies its
 * own state after this transaction, waiting for the lock. When nothing changed the cost is
 * one query loading the batch's present rows, and no write.
 * @param <P> the PostgreSQL entity type
 */
final class CatchUpWriter<P> {

    private final PostgresSide<P, Object> side;

    private final EntityComparator comparator;

    private final Function<List<PreparedRow<P>>, @Nullable Set<String>> possiblyDiffering;

    /**
     * @param possiblyDiffering the keys of present rows whose stored values differ from the
     * row's, found without loading them (or {@code null} when it cannot tell): only those are
     * loaded and compared
     */
    CatchUpWriter(PostgresSide<P, Object> side, EntityComparator comparator,
            Function<List<PreparedRow<P>>, @Nullable Set<String>> possiblyDiffering) {
        this.side = side;
        this.comparator = comparator;
        this.possiblyDiffering = possiblyDiffering;
    }

    /**
     * Bring the present rows of a batch up to date; to be called under the batch's locks.
     * @param present the batch's rows whose ids are in the table
     * @param currentInRedis reads the current value of some Redis keys (a key it leaves out is
     * gone)
     * @return what was done
     */
    Result refresh(List<PreparedRow<P>> present, Function<Collection<String>, Map<String, CurrentValue<P>>> currentInRedis) {
        Differing<P> differing = differing(present);
        if (differing.rows().isEmpty()) {
            return Result.NONE;
        }
        Map<String, CurrentValue<P>> current = currentInRedis
            .apply(differing.rows().stream().map(PreparedRow::redisKey).toList());
        Set<String> refreshed = new LinkedHashSet<>();
        Set<String> removed = new LinkedHashSet<>();
        Map<String, String> unreadable = new LinkedHashMap<>();
        for (PreparedRow<P> row : differing.rows()) {
            CurrentValue<P> value = current.get(row.redisKey());
            P stored = differing.stored().get(row.id());
            if (value == null) {
                this.side.delete(row.id());
                removed.add(row.key());
            }
            else if (value.row() == null) {
                unreadable.put(row.key(), String.valueOf(value.problem()));
            }
            else if (stored == null || differ(value.row(), stored)) {
                this.side.upsert(value.row());
                refreshed.add(row.key());
            }
            // Otherwise a live write has copied Redis's current value since the batch was read.
        }
        return new Result(refreshed, removed, unreadable);
    }

    /**
     * Find the present rows that differ from their value as read, without locks or writes
     * (also a dry run's estimate of what a catch-up would refresh or remove).
     * @param present the batch's rows whose ids are in the table
     * @return those that differ, with the stored rows loaded to compare them
     */
    Differing<P> differing(List<PreparedRow<P>> present) {
        List<PreparedRow<P>> candidates = candidates(present);
        if (candidates.isEmpty()) {
            return new Differing<>(List.of(), Map.of());
        }
        Map<Object, P> loaded = load(candidates);
        List<PreparedRow<P>> differing = new ArrayList<>();
        for (PreparedRow<P> row : candidates) {
            P stored = loaded.get(row.id());
            if (stored == null || differ(row.entity(), stored)) {
                differing.add(row);
            }
        }
        return new Differing(differing, loaded);
    }

    /**
     * Delete the rows of keys Redis does not hold; to be called under the keys' locks, so
     * that a key written to Redis before them keeps its row and one written after them
     * re-creates it through its own copy.
     * @param rows the rows to check, whose keys were found missing without the locks
     * @param stillInRedis answers which of some Redis keys exist now
     * @return the keys whose rows were deleted
     */
    Set<String> removeGone(List<GoneRow> rows, Function<Collection<String>, Set<String>> stillInRedis) {
        Set<String> existing = stillInRedis.apply(rows.stream().map(GoneRow::redisKey).toList());
        Set<String> removed = new LinkedHashSet<>();
        for (GoneRow row : rows) {
            if (!existing.contains(row.redisKey())) {
                this.side.delete(row.id());
                removed.add(row.key());
            }
        }
        return removed;
    }

    // Rows the SQL filter finds equal are exactly what inserting them would store; the others
    // (and all rows, where it cannot tell) go through the entity comparison, which decides.
    private List<PreparedRow<P>> candidates(List<PreparedRow<P>> present) {
        if (present.isEmpty()) {
            return present;
        }
        Set<String> possibly = this.possiblyDiffering.apply(present);
        return (possibly == null) ? present : present.stream().filter((row) -> possibly.contains(row.key())).toList();
    }

    private Map<Object, P> load(List<PreparedRow<P>> rows) {
        Map<Object, P> loaded = new HashMap<>();
        for (P row : this.side.loadAll(rows.stream().map(PreparedRow::id).toList())) {
            Object id = this.side.idOf(row);
            if (id != null) {
                loaded.put(id, row);
            }
        }
        return loaded;
    }

    // The verifier's comparison: representations of one value (number scales, sub-microsecond
    // time) are not differences, so rows the verifier calls equal are never rewritten.
    private boolean differ(P redis, P postgres) {
        return !this.comparator.differingFields(redis, postgres).isEmpty();
    }

    /**
     * A row found without its Redis key.
     * @param key the entity key (for the lock)
     * @param redisKey the Redis key
     * @param id the row's id
     */
    record GoneRow(String key, String redisKey, Object id) {
    }

    /**
     * Present rows that differ from their value as read.
     * @param rows those rows
     * @param stored the stored rows loaded to compare them, by id
     * @param <P> the entity type
     */
    record Differing<P>(List<PreparedRow<P>> rows, Map<Object, P> stored) {
    }

    /**
     * What a catch-up did to a batch's present rows.
     * @param refreshed keys whose rows were rewritten with Redis's current value
     * @param removed keys whose rows were deleted because Redis no longer holds them
     * @param unreadable keys whose current Redis value does not decode, with why (their rows
     * are left as they are)
     */
    record Result(Set<String> refreshed, Set<String> removed, Map<String, String> unreadable) {

        static final Result NONE = new Result(Set.of(), Set.of(), Map.of());

    }

}
