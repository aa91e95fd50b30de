package dev.dualwrite.autoconfigure.expiry;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.expiry.ExpirySweeper;
import dev.dualwrite.core.expiry.KeyExpiry;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Runs the {@link ExpirySweeper} over every paired repository with an expiry column, at a
 * fixed delay on one daemon thread, from the start of the application context (every
 * repository paired) until its shutdown (before the connection pools close).
 */
public class ExpirySweepLifecycle implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(ExpirySweepLifecycle.class);

    private final ExpirySweeper sweeper;

    private final Duration interval;

    private volatile @Nullable ScheduledExecutorService executor;

    /**
     * @param registry the paired repositories
     * @param interval the time between two sweeps
     * @param batchSize the most rows one delete statement removes
     * @param meters where the rows deleted are counted
     */
    public ExpirySweepLifecycle(DualRepositoryRegistry registry, Duration interval, int batchSize,
            MeterRegistry meters) {
        this(registry, null, interval, batchSize, meters);
    }

    /**
     * @param registry the paired repositories
     * @param strategies the repositories' stages: one at {@link WriteStrategy#REDIS_PRIMARY},
     * whose table the application does not write, is not swept ({@code null} to sweep all)
     * @param interval the time between two sweeps
     * @param batchSize the most rows one delete statement removes
     * @param meters where the rows deleted are counted
     */
    public ExpirySweepLifecycle(DualRepositoryRegistry registry, @Nullable StrategySource strategies,
            Duration interval, int batchSize, MeterRegistry meters) {
        // Asked at every sweep: a repository moved out of REDIS_PRIMARY is swept from then on.
        this.sweeper = new ExpirySweeper(() -> expiries(registry),
                (name) -> strategies == null || strategies.strategyFor(name) != WriteStrategy.REDIS_PRIMARY, batchSize,
                meters);
        this.interval = interval;
    }

    private static Map<String, KeyExpiry<?, ?, ?>> expiries(DualRepositoryRegistry registry) {
        Map<String, KeyExpiry<?, ?, ?>> expiries = new LinkedHashMap<>();
        for (DualRepository<Object, Object, Object> repository : registry.all()) {
            expiries.put(repository.name(), repository.expiry());
        }
        return expiries;
    }

    /** Return the sweeper, to sweep at once (tests, operations). */
    public ExpirySweeper sweeper() {
        return this.sweeper;
    }

    @Override
    public void start() {
        this.sweeper.registerMeters();
        CustomizableThreadFactory threads = new CustomizableThreadFactory("dualwrite-expiry-sweep-");
        threads.setDaemon(true);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(threads);
        long millis = this.interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::sweepLogged, millis, millis, TimeUnit.MILLISECONDS);
        this.executor = scheduler;
    }

    private void sweepLogged() {
        try {
            this.sweeper.sweep().forEach((name, deleted) -> {
                if (deleted > 0) {
                    logger.debug("dual-write expiry: deleted {} expired rows of repository '{}'", deleted, name);
                }
            });
        }
        catch (RuntimeException ex) {
            // Never let one failure end the schedule.
            logger.warn("dual-write expiry: sweep failed; the next one tries again", ex);
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService scheduler = this.executor;
        if (scheduler != null) {
            scheduler.shutdownNow();
            this.executor = null;
        }
    }

    @Override
    public boolean isRunning() {
        return this.executor != null;
    }

}
