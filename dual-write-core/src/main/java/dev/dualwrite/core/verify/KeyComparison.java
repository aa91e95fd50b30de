package dev.dualwrite.core.verify;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.dualwrite.core.compare.EntityComparator;
import dev.dualwrite.core.compare.EntityComparator.FieldValues;
import dev.dualwrite.core.redis.scan.RedisEntityScanner;
import dev.dualwrite.core.redis.scan.ScanSettings;
import dev.dualwrite.core.redis.scan.ScannedEntry;
import dev.dualwrite.core.repair.FailureReason;
import dev.dualwrite.core.routing.DualRepository;
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

    private final RedisEntityScanner<R, ID> scanner;

    private final ScanSettings settings;

    private final EntityComparator comparator;

    private final boolean includeValues;

    KeyComparison(DualRepository<R, P, ID> repository, RedisEntityScanner<R, ID> scanner, ScanSettings settings,
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
        Map<String, FieldValues> fields = this.comparator.differences(mapped, row);
        if (fields.isEmpty()) {
            return null;
        }
        return new Difference(key, DifferenceKind.CONTENT, List.copyOf(fields.keySet()),
                this.includeValues ? fields : null, null);
    }

    /**
     * Read a key again from both stores, holding its advisory lock so that no copy of the
     * library is half done, and compare.
     * @param key the entity key
     * @return the difference, or {@code null} when the stores agree now
     */
    @Nullable Difference recheck(String key) {
        ID id = this.repository.idOf(key);
        return this.repository.postgres().inKeyLock(key, () -> {
            List<ScannedEntry<R, ID>> found = this.scanner.read(List.of(this.scanner.keyOf(id)), this.settings);
            ScannedEntry<R, ID> entry = found.isEmpty() ? null : found.get(0);
            Optional<P> row = this.repository.postgres().load(id);
            if (entry != null && entry.isReject()) {
                return new Difference(key, DifferenceKind.UNREADABLE_IN_REDIS, List.of(), null, entry.problem());
            }
            return difference(key, (entry != null) ? entry.entity() : null, row.orElse(null));
        });
    }

}
