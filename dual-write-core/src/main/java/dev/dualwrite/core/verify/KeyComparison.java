package dev.dualwrite.core.verify;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.dualwrite.core.compare.EntityComparator;
import dev.dualwrite.core.compare.EntityComparator.FieldValues;
import dev.dualwrite.core.expiry.KeyExpiry;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.repair.FailureReason;
import dev.dualwrite.core.store.scan.OldStoreScanner;
import dev.dualwrite.core.store.scan.ScanSettings;
import dev.dualwrite.core.store.scan.ScannedEntry;
import org.jspecify.annotations.Nullable;

/**
 * How one key of a repository differs between the stores, if it does: only in one of them,
 * unreadable in Redis, or with fields whose values differ, compared through the PostgreSQL
 * entity mapping. Holds nothing that changes, so the comparing threads share it.
 * @param <R> the Redis entity type
 * @param <P> the PostgreSQL entity type
 * @param <ID> the id type
 */
final class KeyComparison<R, P, ID> {

    private final DualRepository<R, P, ID> repository;

    private final OldStoreScanner<R, ID> scanner;

    private final ScanSettings settings;

    private final EntityComparator comparator;

    private final boolean includeValues;

    KeyComparison(DualRepository<R, P, ID> repository, OldStoreScanner<R, ID> scanner, ScanSettings settings,
            EntityComparator comparator, boolean includeValues) {
        this.repository = repository;
        this.scanner = scanner;
        this.settings = settings;
        this.comparator = comparator;
        this.includeValues = includeValues;
    }

    /**
     * Compare what each store holds for a key.
     * @param key the entity key
     * @param entity the Redis entity, {@code null} when Redis has none
     * @param row the PostgreSQL row, {@code null} when PostgreSQL has none
     * @return the difference, or {@code null} when the stores agree
     */
    @Nullable Difference difference(String key, @Nullable R entity, @Nullable P row) {
        return difference(key, entity, row, null, Instant.now());
    }

    /**
     * Compare what each store holds for a key, expiries included: a row whose expiry has
     * passed counts as absent (a key expired on one side and gone from the other is no
     * difference), and the two expiries are compared within the repository's tolerance.
     * @param key the entity key
     * @param entity the Redis entity, {@code null} when Redis has none
     * @param row the PostgreSQL row, {@code null} when PostgreSQL has none
     * @param pttl the Redis key's {@code PTTL} read with the entity, {@code null} when not read
     * @param now when it was read
     * @return the difference, or {@code null} when the stores agree
     */
    @Nullable Difference difference(String key, @Nullable R entity, @Nullable P row, @Nullable Long pttl,
            Instant now) {
        KeyExpiry<R, P, ID> expiry = this.repository.expiry();
        if (row != null && !expiry.isLive(row)) {
            row = null;
        }
        if (entity == null && row == null) {
            return null;
        }
        if (entity == null) {
            return Difference.of(key, DifferenceKind.ONLY_IN_POSTGRES);
        }
        if (row == null) {
            return Difference.of(key, DifferenceKind.ONLY_IN_REDIS);
        }
        P mapped;
        try {
            mapped = this.repository.mapping().toPostgres(entity);
        }
        catch (RuntimeException ex) {
            return new Difference(key, DifferenceKind.UNREADABLE_IN_REDIS, List.of(), null,
                    "the Redis value does not map to " + this.repository.postgres().entityType().getSimpleName()
                            + ": " + FailureReason.describe(ex));
        }
        Map<String, FieldValues> fields = this.comparator.differences(expiry.forComparison(mapped, row, pttl, now), row);
        if (fields.isEmpty()) {
            return null;
        }
        return new Difference(key, DifferenceKind.CONTENT, List.copyOf(fields.keySet()),
                this.includeValues ? fields : null, null);
    }

    /**
     * Read a key again from both stores, holding its advisory lock so that no copy of the
     * library is half done, and compare.
     * <p>
     * The lock does not cover a write's primary store: a write may have reached its primary
     * (Redis in {@code DUAL}; PostgreSQL, committed, in {@code POSTGRES_PRIMARY}) while its copy
     * waits for this very lock. A difference read here may still be such a write in flight:
     * compare it with a later reading ({@link #persists}).
     * @param key the entity key
     * @return what both stores hold, with the difference ({@code null} when they agree now)
     */
    Reading recheck(String key) {
        ID id = this.repository.idOf(key);
        return this.repository.postgres().inKeyLock(key, () -> {
            List<ScannedEntry<R, ID>> found = this.scanner.read(List.of(this.scanner.keyOf(id)), this.settings);
            ScannedEntry<R, ID> entry = found.isEmpty() ? null : found.get(0);
            P row = this.repository.postgres().load(id).orElse(null);
            if (entry != null && entry.isReject()) {
                return new Reading(new Difference(key, DifferenceKind.UNREADABLE_IN_REDIS, List.of(), null,
                        entry.problem()), null, row);
            }
            R entity = (entry != null) ? entry.entity() : null;
            Long pttl = (entity != null && this.repository.expiry().enabled())
                    ? this.repository.expiry().pttls(List.of(this.scanner.keyOf(id))).get(this.scanner.keyOf(id)) : null;
            Difference difference = difference(key, entity, row, pttl, Instant.now());
            if (difference != null && difference.kind() == DifferenceKind.UNREADABLE_IN_REDIS) {
                return new Reading(difference, null, row);
            }
            return new Reading(difference, (entity != null) ? this.repository.mapping().toPostgres(entity) : null,
                    row);
        });
    }

    /**
     * Return whether the difference of a reading is still there in a later one, taken a settle
     * delay after it: the stores still differ and one of them holds the very value it held
     * before. Otherwise a copy of a write in flight has landed since, or the key is being
     * written again (a store that held no value both times may have held one in between), and
     * each such write copies the key's whole current state: no difference to report. A value
     * that does not decode is one as soon as it is read.
     * @param earlier the first reading, which found a difference
     * @param later the reading a settle delay later
     * @return whether to report the later reading's difference
     */
    boolean persists(Reading earlier, Reading later) {
        if (earlier.difference() == null || later.difference() == null) {
            return false;
        }
        if (later.difference().kind() == DifferenceKind.UNREADABLE_IN_REDIS) {
            return true;
        }
        return sameValue(earlier.redis(), later.redis()) || sameValue(earlier.postgres(), later.postgres());
    }

    private boolean sameValue(@Nullable Object earlier, @Nullable Object later) {
        return earlier != null && later != null && this.comparator.differingFields(earlier, later).isEmpty();
    }

    /**
     * What both stores held for one key at one reading under its lock, each in the PostgreSQL
     * entity type.
     * @param difference how they differed, or {@code null}
     * @param redis Redis's value mapped to the PostgreSQL type, or {@code null} when absent or
     * unreadable
     * @param postgres PostgreSQL's row, or {@code null} when absent
     */
    record Reading(@Nullable Difference difference, @Nullable Object redis, @Nullable Object postgres) {
    }

}
