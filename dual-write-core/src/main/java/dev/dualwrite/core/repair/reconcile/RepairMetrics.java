package dev.dualwrite.core.repair.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.dualwrite.core.repair.ClaimableRepairLog;
import dev.dualwrite.core.strategy.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.util.Assert;

/**
 * The reconciler's meters, registered up front per repository and store to repair:
 * <ul>
 * <li>{@code dualwrite.repair.oldest.age} (gauge, seconds): age of the oldest pending record,
 * zero when none; the answer is cached for a while, because for the Redis log it takes a scan
 * of all records</li>
 * <li>{@code dualwrite.repair.repaired} (counter): keys the reconciler brought in line</li>
 * <li>{@code dualwrite.repair.failed} (counter): repairs that failed and were put back with a
 * backoff</li>
 * </ul>
 * The pending count, {@code dualwrite.repair.pending}, is registered by
 * {@link dev.dualwrite.core.metrics.DualWriteMetrics}.
 */
public class RepairMetrics {

    public static final String OLDEST_AGE = "dualwrite.repair.oldest.age";

    public static final String REPAIRED = "dualwrite.repair.repaired";

    public static final String FAILED = "dualwrite.repair.failed";

    private final MeterRegistry registry;

    private final Map<Store, ClaimableRepairLog> logs;

    private final Duration cacheFor;

    private final Clock clock;

    private final Map<String, CachedAge> ages = new ConcurrentHashMap<>();

    /**
     * @param registry where meters go
     * @param logs the repair log of each store to repair
     * @param cacheFor how long an oldest-age answer is reused
     */
    public RepairMetrics(MeterRegistry registry, Map<Store, ClaimableRepairLog> logs, Duration cacheFor) {
        this(registry, logs, cacheFor, Clock.systemUTC());
    }

    RepairMetrics(MeterRegistry registry, Map<Store, ClaimableRepairLog> logs, Duration cacheFor, Clock clock) {
        Assert.notNull(registry, "registry must not be null");
        Assert.notNull(logs, "logs must not be null");
        Assert.notNull(cacheFor, "cacheFor must not be null");
        this.registry = registry;
        this.logs = Map.copyOf(logs);
        this.cacheFor = cacheFor;
        this.clock = clock;
    }

    /**
     * Register the meters of one repository with zero values.
     * @param repository the repository name
     */
    public void registerRepository(String repository) {
        for (Store store : this.logs.keySet()) {
            Gauge.builder(OLDEST_AGE, () -> oldestAgeSeconds(repository, store))
                .tags("repository", repository, "store", store.tagValue())
                .baseUnit("seconds")
                .description("Age of the oldest repair record of keys whose copy in this store may be behind")
                .register(this.registry);
            repaired(repository, store);
            failed(repository, store);
        }
    }

    public void recordRepaired(String repository, Store store) {
        repaired(repository, store).increment();
    }

    public void recordFailed(String repository, Store store) {
        failed(repository, store).increment();
    }

    /**
     * Return the age of the oldest pending record, from cache when fresh enough.
     * @param repository the repository name
     * @param store the store to repair
     * @return the age in seconds, zero when nothing is pending, NaN when the log cannot be read
     */
    public double oldestAgeSeconds(String repository, Store store) {
        String cacheKey = repository + "\u0000" + store;
        Instant now = this.clock.instant();
        CachedAge cached = this.ages.get(cacheKey);
        if (cached == null || cached.readAt().plus(this.cacheFor).isBefore(now)) {
            try {
                cached = new CachedAge(now, this.logs.get(store).oldestRecordedAt(repository));
            }
            catch (RuntimeException ex) {
                // The log lives in the other store, which may be down right now; NaN reads as unknown.
                return Double.NaN;
            }
            this.ages.put(cacheKey, cached);
        }
        return cached.oldest().map((oldest) -> Math.max(0, Duration.between(oldest, now).toMillis()) / 1000.0)
            .orElse(0.0);
    }

    /**
     * Forget cached ages, so the next reading queries the logs (after a drain round).
     */
    public void invalidate() {
        this.ages.clear();
    }

    private Counter repaired(String repository, Store store) {
        return Counter.builder(REPAIRED)
            .tags("repository", repository, "store", store.tagValue())
            .description("Keys the reconciler brought in line in this store")
            .register(this.registry);
    }

    private Counter failed(String repository, Store store) {
        return Counter.builder(FAILED)
            .tags("repository", repository, "store", store.tagValue())
            .description("Repairs of keys in this store that failed and were put back with a backoff")
            .register(this.registry);
    }

    private record CachedAge(Instant readAt, Optional<Instant> oldest) {
    }

}
