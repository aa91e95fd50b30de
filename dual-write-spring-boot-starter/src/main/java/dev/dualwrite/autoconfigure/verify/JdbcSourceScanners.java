package dev.dualwrite.autoconfigure.verify;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.store.scan.OldStoreScanner;
import dev.dualwrite.core.verify.OldStoreScanners;

/**
 * The verifier's scanners when they are the library's own: a pair whose old store is a
 * {@link dev.dualwrite.autoconfigure.source.JdbcSource} is scanned through its table by
 * primary key (one scanner per repository, built on first use), every other pair by the Redis
 * scanners.
 */
final class JdbcSourceScanners implements OldStoreScanners {

    private final OldStoreScanners redis;

    private final DualRepositoryRegistry registry;

    private final Map<String, OldStoreScanner<?, ?>> scanners = new ConcurrentHashMap<>();

    JdbcSourceScanners(OldStoreScanners redis, DualRepositoryRegistry registry) {
        this.redis = redis;
        this.registry = registry;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R, ID> OldStoreScanner<R, ID> scannerFor(DualRepository<R, ?, ID> repository) {
        return this.registry.sourceOf(repository.name())
            .<OldStoreScanner<R, ID>>map((source) -> (OldStoreScanner<R, ID>) this.scanners.computeIfAbsent(
                    repository.name(),
                    (name) -> source.scannerOf(repository.old().entityType(), repository.old().idType())))
            .orElseGet(() -> this.redis.scannerFor(repository));
    }

}
