package dev.dualwrite.core.expiry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

/**
 * Deletes rows whose expiry has passed, repository by repository, in small batches (one
 * short statement each, so no long lock and no long transaction), until a batch finds fewer
 * than a full batch.
 * <p>
 * Safe against a concurrent rewrite of a key without taking its lock: each delete
 * re-checks the row's expiry by the database's clock, and PostgreSQL re-evaluates that
 * condition on a row updated by a transaction that committed meanwhile, so a row given a
 * later expiry is kept. Deleting an expired row needs no copy to Redis: the key carries the
 * same expiry there and is gone as well.
 */
public final class ExpirySweeper {

    /** The counter of expired rows deleted, tagged {@code repository}. */
    public static final String SWEPT = "dualwrite.expiry.swept";

    private static final Logger logger = LoggerFactory.getLogger(ExpirySweeper.class);

    private final Supplier<Map<String, KeyExpiry<?, ?, ?>>> repositories;

    private final Predicate<String> sweepable;

    private final int batchSize;

    private final MeterRegistry meters;

    // The last failure of each repository whose sweep fails, to log a repeated one once.
    private final Map<String, String> failing = new ConcurrentHashMap<>();

    /**
     * @param repositories the expiries of the repositories to sweep, by repository name
     * (read at every sweep, so repositories paired later are swept too); those without an
     * expiry column are skipped
     * @param batchSize the most rows one statement deletes; positive
     * @param meters where {@value #SWEPT} counts the rows deleted
     */
    public ExpirySweeper(Supplier<Map<String, KeyExpiry<?, ?, ?>>> repositories, int batchSize,
            MeterRegistry meters) {
        this(repositories, (name) -> true, batchSize, meters);
    }

    /**
     * @param repositories the expiries of the repositories to sweep, by repository name
     * (read at every sweep, so repositories paired later are swept too); those without an
     * expiry column are skipped
     * @param sweepable whether a repository is swept now (asked at every sweep): one whose
     * table the application does not write (at {@code REDIS_PRIMARY}) is left alone, its
     * counter still registered
     * @param batchSize the most rows one statement deletes; positive
     * @param meters where {@value #SWEPT} counts the rows deleted
     */
    public ExpirySweeper(Supplier<Map<String, KeyExpiry<?, ?, ?>>> repositories, Predicate<String> sweepable,
            int batchSize, MeterRegistry meters) {
        Assert.notNull(repositories, "repositories must not be null");
        Assert.notNull(sweepable, "sweepable must not be null");
        this.sweepable = sweepable;
        Assert.isTrue(batchSize > 0, "batchSize must be positive");
        Assert.notNull(meters, "meters must not be null");
        this.repositories = repositories;
        this.batchSize = batchSize;
        this.meters = meters;
    }

    /**
     * Register the counter of every repository with an expiry column at zero, so dashboards
     * show zero rather than nothing.
     */
    public void registerMeters() {
        this.repositories.get().forEach((name, expiry) -> {
            if (expiry.enabled()) {
                swept(name);
            }
        });
    }

    private Counter swept(String repository) {
        return Counter.builder(SWEPT)
            .description("Expired rows the sweep deleted")
            .tag("repository", repository)
            .register(this.meters);
    }

    /**
     * Delete every row expired by now, for every repository; a failure of one repository is
     * logged and does not stop the others.
     * @return how many rows were deleted, by repository name
     */
    public Map<String, Long> sweep() {
        Map<String, Long> deleted = new LinkedHashMap<>();
        this.repositories.get().forEach((name, expiry) -> {
            if (!expiry.enabled() || !this.sweepable.test(name)) {
                return;
            }
            try {
                long rows = sweep(name, expiry);
                swept(name).increment(rows);
                deleted.put(name, rows);
                if (this.failing.remove(name) != null) {
                    logger.info("dual-write expiry: sweeping repository '{}' works again", name);
                }
            }
            catch (RuntimeException ex) {
                logFailure(name, ex);
            }
        });
        return deleted;
    }

    // A failure that repeats every sweep (a table not created yet) is logged with its stack
    // once, then only at debug level until the sweep works again or fails differently.
    private void logFailure(String name, RuntimeException ex) {
        String problem = ex.getClass().getName() + ": " + ex.getMessage();
        if (problem.equals(this.failing.put(name, problem))) {
            logger.debug("dual-write expiry: sweeping repository '{}' still fails: {}", name, problem);
        }
        else {
            logger.warn("dual-write expiry: sweeping repository '{}' failed; the next sweeps try again (the same "
                    + "failure is not logged again)", name, ex);
        }
    }

    private long sweep(String name, KeyExpiry<?, ?, ?> expiry) {
        long total = 0;
        int batch;
        do {
            batch = expiry.deleteExpired(name, this.batchSize);
            if (batch < 0) {
                logger.debug("dual-write expiry: another instance is sweeping repository '{}'", name);
                break;
            }
            total += batch;
        }
        while (batch >= this.batchSize);
        return total;
    }

}
