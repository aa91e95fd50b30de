package dev.dualwrite.core.routing;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import dev.dualwrite.core.metrics.DualWriteMetrics;
import dev.dualwrite.core.metrics.DualWriteMetrics.ShadowOutcome;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

/**
 * Compares a read's answer with the other store's, off the caller's thread: the caller only
 * hands the comparison to a bounded pool (dropped and counted when the pool is full), so a
 * shadow read never adds more than that hand-off to its latency.
 * <p>
 * Every comparison is counted by repository, method and outcome; the most recent mismatches
 * of each repository are kept, with field names but no values.
 */
public class ShadowReads implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(ShadowReads.class);

    private final ExecutorService executor;

    private final DualWriteMetrics metrics;

    private final int sampleSize;

    private final Clock clock;

    private final Map<String, Deque<ShadowMismatch>> mismatches = new ConcurrentHashMap<>();

    /**
     * @param executor a bounded pool that rejects work when full
     * @param metrics where comparisons are counted
     * @param sampleSize how many recent mismatches to keep per repository
     */
    public ShadowReads(ExecutorService executor, DualWriteMetrics metrics, int sampleSize) {
        this(executor, metrics, sampleSize, Clock.systemUTC());
    }

    ShadowReads(ExecutorService executor, DualWriteMetrics metrics, int sampleSize, Clock clock) {
        Assert.notNull(executor, "executor must not be null");
        Assert.notNull(metrics, "metrics must not be null");
        Assert.isTrue(sampleSize >= 0, "sampleSize must not be negative");
        this.executor = executor;
        this.metrics = metrics;
        this.sampleSize = sampleSize;
        this.clock = clock;
    }

    /**
     * Compare, later and elsewhere, what the caller got with what the other store answers.
     * @param repository the repository name
     * @param method the repository method
     * @param key the read's key (or a summary of its arguments)
     * @param readStoreResult what the caller got
     * @param otherStore reads the other store
     * @param comparator judges the two answers
     */
    public void compare(String repository, String method, String key, @Nullable Object readStoreResult,
            OtherStoreRead otherStore, ShadowReadComparator comparator) {
        try {
            this.executor.execute(() -> run(repository, method, key, readStoreResult, otherStore, comparator));
        }
        catch (RejectedExecutionException ex) {
            this.metrics.recordShadowRead(repository, method, ShadowOutcome.DROPPED);
        }
    }

    /**
     * Return the most recent mismatches of a repository, newest first.
     * @param repository the repository name
     * @return at most the configured sample size of mismatches
     */
    public List<ShadowMismatch> recentMismatches(String repository) {
        Deque<ShadowMismatch> recent = this.mismatches.get(repository);
        if (recent == null) {
            return List.of();
        }
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    @Override
    public void close() throws InterruptedException {
        this.executor.shutdown();
        this.executor.awaitTermination(5, TimeUnit.SECONDS);
    }

    private void run(String repository, String method, String key, @Nullable Object readStoreResult,
            OtherStoreRead otherStore, ShadowReadComparator comparator) {
        List<String> differences;
        try {
            differences = comparator.differences(readStoreResult, otherStore.read());
        }
        catch (Throwable ex) {
            this.metrics.recordShadowRead(repository, method, ShadowOutcome.ERROR);
            logger.debug("Shadow read of repository '{}' method {} failed", repository, method, ex);
            return;
        }
        if (differences.isEmpty()) {
            this.metrics.recordShadowRead(repository, method, ShadowOutcome.MATCH);
            return;
        }
        this.metrics.recordShadowRead(repository, method, ShadowOutcome.MISMATCH);
        ShadowMismatch mismatch = new ShadowMismatch(repository, method, key, List.copyOf(differences),
                this.clock.instant());
        Deque<ShadowMismatch> recent = this.mismatches.computeIfAbsent(repository, (name) -> new ArrayDeque<>());
        synchronized (recent) {
            recent.addFirst(mismatch);
            while (recent.size() > this.sampleSize) {
                recent.removeLast();
            }
        }
        logger.info("Shadow read mismatch in repository '{}': {} for key '{}' differs in {}", repository, method, key,
                differences);
    }

    /**
     * Reads the other store; may throw whatever the store throws.
     */
    @FunctionalInterface
    public interface OtherStoreRead {

        @Nullable Object read() throws Throwable;

    }

}
