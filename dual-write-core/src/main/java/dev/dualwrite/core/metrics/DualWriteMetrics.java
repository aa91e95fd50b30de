package dev.dualwrite.core.metrics;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleBiFunction;

import dev.dualwrite.core.strategy.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.util.Assert;

/**
 * The library's meters, all under {@code dualwrite.*} with bounded tags, registered up front
 * for each repository so dashboards show zero rather than nothing.
 * <ul>
 * <li>{@code dualwrite.writes} (timer): repository, store, operation ({@code save},
 * {@code delete}), outcome ({@code success}, {@code failure})</li>
 * <li>{@code dualwrite.reads} (timer): repository, store, outcome</li>
 * <li>{@code dualwrite.secondary.failures} (counter): repository, store, reason
 * ({@code error}, {@code timeout}, {@code circuit_open}, {@code rejected})</li>
 * <li>{@code dualwrite.repair.pending} (gauge): repository, store (the store to repair)</li>
 * <li>{@code dualwrite.reads.fallbacks} (counter): repository, reason ({@code error}, {@code miss}):
 * ramped reads from PostgreSQL that were served by Redis after all</li>
 * <li>{@code dualwrite.shadow.reads} (counter): repository, method, outcome ({@code match},
 * {@code mismatch}, {@code error}, {@code dropped})</li>
 * <li>{@code dualwrite.reads.unreadable} (counter): repository; values that multi-key reads of a
 * JSON-string repository left out because they cannot be read (registered for those only)</li>
 * </ul>
 */
public class DualWriteMetrics {

    public static final String WRITES = "dualwrite.writes";

    public static final String READS = "dualwrite.reads";

    public static final String SECONDARY_FAILURES = "dualwrite.secondary.failures";

    public static final String REPAIR_PENDING = "dualwrite.repair.pending";

    public static final String READ_FALLBACKS = "dualwrite.reads.fallbacks";

    public static final String SHADOW_READS = "dualwrite.shadow.reads";

    public static final String UNREADABLE_VALUES = "dualwrite.reads.unreadable";

    /** Kinds of secondary failure, the values of the {@code reason} tag. */
    public enum FailureKind {

        ERROR, TIMEOUT, CIRCUIT_OPEN, REJECTED;

        String tagValue() {
            return name().toLowerCase(Locale.ROOT);
        }

    }

    /** Why a ramped read fell back to Redis, the values of the {@code reason} tag. */
    public enum FallbackReason {

        ERROR, MISS;

        String tagValue() {
            return name().toLowerCase(Locale.ROOT);
        }

    }

    /** Outcomes of a shadow read, the values of the {@code outcome} tag. */
    public enum ShadowOutcome {

        MATCH, MISMATCH, ERROR, DROPPED;

        String tagValue() {
            return name().toLowerCase(Locale.ROOT);
        }

    }

    private static final List<String> OPERATIONS = List.of("save", "delete");

    private static final List<String> OUTCOMES = List.of("success", "failure");

    private final MeterRegistry registry;

    // Every write and read is timed: looking a timer up through its builder on each call (a new
    // id, its tags sorted, the registry's filters) costs more than the timing itself.
    private final Map<String, RepositoryTimers> timers = new ConcurrentHashMap<>();

    public DualWriteMetrics(MeterRegistry registry) {
        Assert.notNull(registry, "registry must not be null");
        this.registry = registry;
    }

    /**
     * Register every meter of a repository with zero values and its pending-repair gauges.
     * @param repository the repository name
     * @param pending how many keys await repair of a store (may query that store's log)
     */
    public void registerRepository(String repository, ToDoubleBiFunction<String, Store> pending) {
        for (Store store : Store.values()) {
            for (String operation : OPERATIONS) {
                for (String outcome : OUTCOMES) {
                    writeTimer(repository, store, operation, outcome);
                }
            }
            for (String outcome : OUTCOMES) {
                readTimer(repository, store, outcome);
            }
            for (FailureKind kind : FailureKind.values()) {
                failureCounter(repository, store, kind);
            }
            Gauge.builder(REPAIR_PENDING, () -> pendingOrNaN(pending, repository, store))
                .tags("repository", repository, "store", store.tagValue())
                .description("Keys whose copy in this store may be behind and await repair")
                .register(this.registry);
        }
        for (FallbackReason reason : FallbackReason.values()) {
            fallbackCounter(repository, reason);
        }
    }

    /**
     * Register the shadow-read counters of a repository's read methods with zero values.
     * @param repository the repository name
     * @param methods the names of its read methods
     */
    public void registerReadMethods(String repository, Iterable<String> methods) {
        for (String method : methods) {
            for (ShadowOutcome outcome : ShadowOutcome.values()) {
                shadowCounter(repository, method, outcome);
            }
        }
    }

    /**
     * Register the counter of unreadable values left out by the multi-key reads of a
     * JSON-string repository, with zero.
     * @param repository the repository name
     */
    public void registerUnreadableValues(String repository) {
        unreadableCounter(repository);
    }

    public void recordUnreadableValue(String repository) {
        unreadableCounter(repository).increment();
    }

    public void recordFallback(String repository, FallbackReason reason) {
        fallbackCounter(repository, reason).increment();
    }

    public void recordShadowRead(String repository, String method, ShadowOutcome outcome) {
        shadowCounter(repository, method, outcome).increment();
    }

    public void recordWrite(String repository, Store store, String operation, long startNanos, boolean success) {
        long elapsed = System.nanoTime() - startNanos;
        int index = OPERATIONS.indexOf(operation);
        Timer timer = (index >= 0) ? timersOf(repository).write(store, index, success)
                : writeTimer(repository, store, operation, outcome(success));
        timer.record(elapsed, TimeUnit.NANOSECONDS);
    }

    public void recordRead(String repository, Store store, long startNanos, boolean success) {
        long elapsed = System.nanoTime() - startNanos;
        timersOf(repository).read(store, success).record(elapsed, TimeUnit.NANOSECONDS);
    }

    private RepositoryTimers timersOf(String repository) {
        RepositoryTimers found = this.timers.get(repository);
        return (found != null) ? found : this.timers.computeIfAbsent(repository, this::newTimers);
    }

    private RepositoryTimers newTimers(String repository) {
        Store[] stores = Store.values();
        Timer[][][] writes = new Timer[stores.length][OPERATIONS.size()][OUTCOMES.size()];
        Timer[][] reads = new Timer[stores.length][OUTCOMES.size()];
        for (Store store : stores) {
            for (int outcome = 0; outcome < OUTCOMES.size(); outcome++) {
                for (int operation = 0; operation < OPERATIONS.size(); operation++) {
                    writes[store.ordinal()][operation][outcome] = writeTimer(repository, store,
                            OPERATIONS.get(operation), OUTCOMES.get(outcome));
                }
                reads[store.ordinal()][outcome] = readTimer(repository, store, OUTCOMES.get(outcome));
            }
        }
        return new RepositoryTimers(writes, reads);
    }

    public void recordSecondaryFailure(String repository, Store store, FailureKind kind) {
        failureCounter(repository, store, kind).increment();
    }

    private Timer writeTimer(String repository, Store store, String operation, String outcome) {
        return Timer.builder(WRITES)
            .description("Writes to each store, by operation and outcome")
            .tags("repository", repository, "store", store.tagValue(), "operation", operation, "outcome", outcome)
            .register(this.registry);
    }

    private Timer readTimer(String repository, Store store, String outcome) {
        return Timer.builder(READS)
            .description("Reads from each store, by outcome")
            .tags("repository", repository, "store", store.tagValue(), "outcome", outcome)
            .register(this.registry);
    }

    private Counter failureCounter(String repository, Store store, FailureKind kind) {
        return Counter.builder(SECONDARY_FAILURES)
            .description("Secondary-store writes that failed and were recorded for repair")
            .tags("repository", repository, "store", store.tagValue(), "reason", kind.tagValue())
            .register(this.registry);
    }

    private Counter fallbackCounter(String repository, FallbackReason reason) {
        return Counter.builder(READ_FALLBACKS)
            .description("Ramped reads from PostgreSQL served by Redis after all")
            .tags("repository", repository, "reason", reason.tagValue())
            .register(this.registry);
    }

    private Counter unreadableCounter(String repository) {
        return Counter.builder(UNREADABLE_VALUES)
            .description("Values that multi-key reads left out because they cannot be read as the entity")
            .tags("repository", repository)
            .register(this.registry);
    }

    private Counter shadowCounter(String repository, String method, ShadowOutcome outcome) {
        return Counter.builder(SHADOW_READS)
            .description("Reads also read from the other store and compared")
            .tags("repository", repository, "method", method, "outcome", outcome.tagValue())
            .register(this.registry);
    }

    private static double pendingOrNaN(ToDoubleBiFunction<String, Store> pending, String repository, Store store) {
        try {
            return pending.applyAsDouble(repository, store);
        }
        catch (RuntimeException ex) {
            // The log lives in the other store, which may be down right now; NaN reads as "unknown".
            return Double.NaN;
        }
    }

    private static String outcome(boolean success) {
        return success ? "success" : "failure";
    }

    // Indexed by store ordinal, operation (OPERATIONS) and outcome (OUTCOMES: success first).
    private record RepositoryTimers(Timer[][][] writes, Timer[][] reads) {

        Timer write(Store store, int operation, boolean success) {
            return this.writes[store.ordinal()][operation][success ? 0 : 1];
        }

        Timer read(Store store, boolean success) {
            return this.reads[store.ordinal()][success ? 0 : 1];
        }

    }

}
