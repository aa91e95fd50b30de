package dev.dualwrite.core.backfill;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.dualwrite.core.backfill.PostgresBatchWriter.PreparedRow;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.verify.StoredRowFilter;
import org.jspecify.annotations.Nullable;

/**
 * The verifier's {@link StoredRowFilter} through the backfill's writers: each mapped row is
 * converted as the backfill would insert it, and PostgreSQL compares those values with the
 * stored rows in one query per batch ({@link PostgresBatchWriter#absentOrDiffering}). A row
 * whose values cannot be converted, or a table the query is not made for, is left to the full
 * comparison.
 */
final class WrittenRowFilter implements StoredRowFilter {

    private final Function<String, @Nullable BackfillSource<?, ?, ?>> sources;

    WrittenRowFilter(Function<String, @Nullable BackfillSource<?, ?, ?>> sources) {
        this.sources = sources;
    }

    @Override
    public @Nullable Set<String> absentOrDiffering(DualRepository<?, ?, ?> repository, Map<String, ?> rows) {
        BackfillSource<?, ?, ?> source = this.sources.apply(repository.name());
        return (source != null) ? absentOrDiffering(source.writer(), rows) : null;
    }

    @SuppressWarnings("unchecked")
    private static <P> @Nullable Set<String> absentOrDiffering(PostgresBatchWriter<P> writer, Map<String, ?> rows) {
        if (writer.fallbackReason() != null) {
            return null;
        }
        Set<String> suspects = new HashSet<>();
        List<PreparedRow<P>> prepared = new ArrayList<>(rows.size());
        for (Map.Entry<String, ?> row : rows.entrySet()) {
            try {
                prepared.add(writer.prepare(row.getKey(), row.getKey(), (P) row.getValue()));
            }
            catch (RuntimeException ex) {
                // The full comparison says how it differs.
                suspects.add(row.getKey());
            }
        }
        Set<String> found = writer.absentOrDiffering(prepared);
        if (found == null) {
            return null;
        }
        suspects.addAll(found);
        return suspects;
    }

}
