package dev.dualwrite.autoconfigure.verify;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.store.scan.OldStoreScanner;
import dev.dualwrite.core.verify.OldStoreScanners;
import org.jspecify.annotations.Nullable;

/**
 * The verifier's scanners when they are the library's own: a pair whose old store is an
 * {@link dev.dualwrite.autoconfigure.source.OldStoreSource} is scanned by the source's scanner
 * (a {@code JdbcSource}'s: by primary key; one per repository, built on first use), every other
 * pair by the Redis scanners.
 */
final class OldStoreSourceScanners implements OldStoreScanners {

    private final @Nullable OldStoreScanners redis;

    private final DualRepositoryRegistry registry;

    private final Map<String, OldStoreScanner<?, ?>> scanners = new ConcurrentHashMap<>();

    OldStoreSourceScanners(@Nullable OldStoreScanners redis, DualRepositoryRegistry registry) {
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
            .orElseGet(() -> redis(repository).scannerFor(repository));
    }

    private OldStoreScanners redis(DualRepository<?, ?, ?> repository) {
        if (this.redis == null) {
            throw new IllegalStateException("dual-write verify: repository '" + repository.name()
                    + "' has a Redis old store, and the application has no Redis connection factory to scan it");
        }
        return this.redis;
    }

}
