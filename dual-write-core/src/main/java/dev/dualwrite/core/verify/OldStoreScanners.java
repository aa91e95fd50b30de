package dev.dualwrite.core.verify;

import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.store.scan.OldStoreScanner;

/**
 * Gives the verifier a scanner of a repository's old store, whatever the store is (Redis in
 * either shape, a JDBC table, a user's own).
 */
public interface OldStoreScanners {

    /**
     * Return the scanner of a repository's old store.
     * @param repository the paired repository
     * @param <R> the old store's entity type
     * @param <ID> the id type
     * @return the scanner
     */
    <R, ID> OldStoreScanner<R, ID> scannerFor(DualRepository<R, ?, ID> repository);

}
