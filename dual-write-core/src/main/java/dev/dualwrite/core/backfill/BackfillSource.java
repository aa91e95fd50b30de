package dev.dualwrite.core.backfill;

import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.store.scan.OldStoreScanner;

import org.springframework.util.Assert;

/**
 * What the backfill needs of one paired repository: the pair (names, mapping), a scanner of
 * its old store (Redis, or any {@link OldStoreScanner}) and a writer of its PostgreSQL table.
 * @param repository the paired repository
 * @param scanner enumerates its old store
 * @param writer writes its table
 * @param <R> the Redis entity type
 * @param <P> the PostgreSQL entity type
 * @param <ID> the id type
 */
public record BackfillSource<R, P, ID>(DualRepository<R, P, ID> repository, OldStoreScanner<R, ID> scanner,
        PostgresBatchWriter<P> writer) {

    public BackfillSource {
        Assert.notNull(repository, "repository must not be null");
        Assert.notNull(scanner, "scanner must not be null");
        Assert.notNull(writer, "writer must not be null");
    }

    public String name() {
        return this.repository.name();
    }

}
