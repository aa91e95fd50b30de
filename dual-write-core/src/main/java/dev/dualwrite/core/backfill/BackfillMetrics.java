package dev.dualwrite.core.backfill;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.util.Assert;

/**
 * The backfill's meters, registered up front for every repository so dashboards show zero
 * rather than nothing:
 * <ul>
 * <li>{@code dualwrite.backfill.rows.read} (counter): repository</li>
 * <li>{@code dualwrite.backfill.rows} (counter): repository, outcome ({@code written},
 * {@code skipped}, {@code rejected}; a catch-up's {@code refreshed} and {@code removed})</li>
 * <li>{@code dualwrite.backfill.batches} (timer, PostgreSQL part of a batch): repository,
 * outcome ({@code success}, {@code failure})</li>
 * <li>{@code dualwrite.backfill.throttled} (timer, time the rate limit held reads back): repository</li>
 * <li>{@code dualwrite.backfill.progress} (gauge, 0 to 1): repository</li>
 * <li>{@code dualwrite.backfill.rate} (gauge, rows read per second): repository</li>
 * <li>{@code dualwrite.backfill.running} (gauge, 1 while a run copies or is paused): repository</li>
 * </ul>
 * Dry runs are not counted.
 */
public class BackfillMetrics {

    public static final String ROWS_READ = "dualwrite.backfill.rows.read";

    public static final String ROWS = "dualwrite.backfill.rows";

    public static final String BATCHES = "dualwrite.backfill.batches";

    public static final String THROTTLED = "dualwrite.backfill.throttled";

    public static final String PROGRESS = "dualwrite.backfill.progress";

    public static final String RATE = "dualwrite.backfill.rate";

    public static final String RUNNING = "dualwrite.backfill.running";

    private final MeterRegistry registry;

    private final Map<String, AtomicReference<BackfillProgress>> current = new ConcurrentHashMap<>();

    public BackfillMetrics(MeterRegistry registry) {
        Assert.notNull(registry, "registry must not be null");
        this.registry = registry;
    }

    /**
     * Register every meter of a repository.
     * @param repository the repository name
     */
    public void register(String repository) {
        AtomicReference<BackfillProgress> progress = this.current.computeIfAbsent(repository,
                (name) -> new AtomicReference<>());
        Counter.builder(ROWS_READ).tag("repository", repository).register(this.registry);
        for (String outcome : new String[] { "written", "skipped", "rejected", "refreshed", "removed" }) {
            Counter.builder(ROWS).tag("repository", repository).tag("outcome", outcome).register(this.registry);
        }
        for (String outcome : new String[] { "success", "failure" }) {
            Timer.builder(BATCHES).tag("repository", repository).tag("outcome", outcome).register(this.registry);
        }
        Timer.builder(THROTTLED).tag("repository", repository).register(this.registry);
        Gauge.builder(PROGRESS, progress, (ref) -> (ref.get() != null) ? ref.get().fraction() : 0.0)
            .tag("repository", repository)
            .register(this.registry);
        Gauge.builder(RATE, progress, (ref) -> (ref.get() != null && ref.get().state() == BackfillState.RUNNING)
                ? ref.get().rowsPerSecond() : 0.0)
            .tag("repository", repository)
            .register(this.registry);
        Gauge.builder(RUNNING, progress, (ref) -> (ref.get() != null && !ref.get().state().isFinal()
                && ref.get().state() != BackfillState.PENDING) ? 1.0 : 0.0)
            .tag("repository", repository)
            .register(this.registry);
    }

    void progress(BackfillProgress progress) {
        if (!progress.dryRun()) {
            this.current.computeIfAbsent(progress.repository(), (name) -> new AtomicReference<>()).set(progress);
        }
    }

    void rows(String repository, long read, long written, long skipped, long rejected) {
        Counter.builder(ROWS_READ).tag("repository", repository).register(this.registry).increment(read);
        Counter.builder(ROWS).tag("repository", repository).tag("outcome", "written").register(this.registry)
            .increment(written);
        Counter.builder(ROWS).tag("repository", repository).tag("outcome", "skipped").register(this.registry)
            .increment(skipped);
        Counter.builder(ROWS).tag("repository", repository).tag("outcome", "rejected").register(this.registry)
            .increment(rejected);
    }

    void caughtUp(String repository, long refreshed, long removed) {
        if (refreshed > 0) {
            Counter.builder(ROWS).tag("repository", repository).tag("outcome", "refreshed").register(this.registry)
                .increment(refreshed);
        }
        if (removed > 0) {
            Counter.builder(ROWS).tag("repository", repository).tag("outcome", "removed").register(this.registry)
                .increment(removed);
        }
    }

    void batch(String repository, long nanos, boolean success) {
        Timer.builder(BATCHES).tag("repository", repository).tag("outcome", success ? "success" : "failure")
            .register(this.registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    void throttled(String repository, long nanos) {
        Timer.builder(THROTTLED).tag("repository", repository).register(this.registry)
            .record(nanos, TimeUnit.NANOSECONDS);
    }

}
