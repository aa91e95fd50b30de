package dev.dualwrite.core.verify;

import java.util.Map;
import java.util.Set;

import dev.dualwrite.core.pair.DualRepository;
import org.jspecify.annotations.Nullable;

/**
 * Lets PostgreSQL compare the rows it holds with the old store's values, mapped to the
 * PostgreSQL entity, so that a full verification loads and compares field by field only the
 * rows that may differ, and counts the others as compared and agreeing. The backfill provides
 * one ({@code Backfill#postgresComparison()}): PostgreSQL compares each stored row with the
 * row the backfill would insert for the value, one query per batch.
 */
@FunctionalInterface
public interface PostgresComparison {

    /**
     * Return how PostgreSQL compares one repository's batches.
     * @param repository the paired repository
     * @return the comparison, or {@code null} when every row of the repository is to be
     * compared field by field
     */
    @Nullable Batches of(DualRepository<?, ?, ?> repository);

    /** PostgreSQL's comparison of one repository's batches. */
    @FunctionalInterface
    interface Batches {

        /**
         * Tell which keys of a batch to compare field by field.
         * @param rows each key's old-store value mapped to the PostgreSQL entity, by entity key
         * @return the keys whose rows PostgreSQL lacks or may hold otherwise; a key left out
         * must be one the field-by-field comparison would find equal
         */
        Set<String> keysToCompare(Map<String, ?> rows);

    }

}
