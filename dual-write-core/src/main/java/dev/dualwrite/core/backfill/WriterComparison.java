package dev.dualwrite.core.backfill;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import dev.dualwrite.core.backfill.PostgresBatchWriter.PreparedRow;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.verify.PostgresComparison;
import dev.dualwrite.core.verify.Verifier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verifier's {@link PostgresComparison} through the backfill's writers: each mapped row is
 * converted as the backfill would insert it, and PostgreSQL compares those values with the
 * stored rows in one query per batch ({@link StoredRowQuery}). A row whose values do not
 * convert is compared field by field; so is every row of a table the query is not made for,
 * which is logged once per verification with the reason.
 */
final class WriterComparison implements PostgresComparison {

    // The verifier's log: this is the verifier's work.
    private static final Logger logger = LoggerFactory.getLogger(Verifier.class);

    private final Function<String, @Nullable BackfillSource<?, ?, ?>> sources;

    WriterComparison(Function<String, @Nullable BackfillSource<?, ?, ?>> sources) {
        this.sources = sources;
    }

    @Override
    public @Nullable Batches of(DualRepository<?, ?, ?> repository) {
        BackfillSource<?, ?, ?> source = this.sources.apply(repository.name());
        return (source != null) ? batches(source.writer(), repository.name()) : null;
    }

    @SuppressWarnings("unchecked")
    private static <P> @Nullable Batches batches(PostgresBatchWriter<P> writer, String repository) {
        String whyNot = writer.whyNotComparedInPostgres();
        if (whyNot != null) {
            logger.info("dual-write verify: repository '{}': every row is compared field by field, not first in "
                    + "PostgreSQL (which compares rows as the backfill writes them), because {}", repository, whyNot);
            return null;
        }
        return (rows) -> {
            Set<String> keys = new HashSet<>();
            List<PreparedRow<P>> prepared = new ArrayList<>(rows.size());
            rows.forEach((key, row) -> {
                try {
                    // The Redis key is only used by writes: the entity key stands in for it.
                    prepared.add(writer.prepare(key, key, (P) row));
                }
                catch (RuntimeException ex) {
                    // The field-by-field comparison says how it differs.
                    keys.add(key);
                }
            });
            keys.addAll(writer.absentOrDiffering(prepared));
            return keys;
        };
    }

}
