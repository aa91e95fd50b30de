package dev.dualwrite.core.verify;

import java.util.Map;
import java.util.Set;

import dev.dualwrite.core.pair.DualRepository;
import org.jspecify.annotations.Nullable;

/**
 * Finds, for a batch of keys, the ones PostgreSQL does not hold exactly as their old-store
 * values map, without reading the rows into the JVM: a full verification then loads and
 * compares only those, and counts the others as agreeing. The backfill provides one
 * ({@code Backfill#storedRowFilter()}), which asks PostgreSQL to compare each stored row with
 * the row the backfill would insert for the value.
 */
@FunctionalInterface
public interface StoredRowFilter {

    /**
     * Tell which keys of a batch need a full comparison.
     * @param repository the paired repository
     * @param rows each key's old-store value mapped to the PostgreSQL entity, by entity key
     * @return the keys whose rows are absent from PostgreSQL or may differ from the mapped
     * ones (a key left out is stored exactly as its mapped row would be written); {@code null}
     * when this repository's rows cannot be checked this way, and all are compared
     */
    @Nullable Set<String> absentOrDiffering(DualRepository<?, ?, ?> repository, Map<String, ?> rows);

}
