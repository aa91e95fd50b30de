package dev.dualwrite.core.secondary;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.dualwrite.core.metrics.DualWriteMetrics;
import dev.dualwrite.core.metrics.DualWriteMetrics.FailureKind;
import dev.dualwrite.core.repair.FailureReason;
import dev.dualwrite.core.repair.RepairLog;
import dev.dualwrite.core.strategy.Store;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.timelimiter.TimeLimiter;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

/**
 * Runs secondary-store writes so that a slow or dead secondary never hurts the caller: each
 * write runs on a bounded pool under a Resilience4j time limit, behind one circuit breaker
 * per store. A write that fails, times out, is rejected by a saturated pool or is not even
 * tried because the breaker is open leaves a repair record for its key.
 * <p>
 * A timed-out write may still complete later; that is harmless because secondary writes
 * copy the primary's current state and are idempotent.
 */
public class SecondaryWriteGuard implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(SecondaryWriteGuard.class);

    private final Map<Store, CircuitBreaker> breakers;

    private final TimeLimiter timeLimiter;

    private final ExecutorService executor;

    private final FailurePolicy policy;

    private final DualWriteMetrics metrics;

    /**
     * @param breakers one circuit breaker per store
     * @param timeLimiter the time limit of one secondary write
     * @param executor the bounded pool secondary writes run on
     * @param policy whether a failure is thrown to the caller after being recorded
     * @param metrics where failures are counted
     */
    public SecondaryWriteGuard(Map<Store, CircuitBreaker> breakers, TimeLimiter timeLimiter, ExecutorService executor,
            FailurePolicy policy, DualWriteMetrics metrics) {
        Assert.isTrue(breakers.keySet().containsAll(EnumSet.allOf(Store.class)),
                "breakers must hold a circuit breaker for every store");
        Assert.notNull(timeLimiter, "timeLimiter must not be null");
        Assert.notNull(executor, "executor must not be null");
        Assert.notNull(policy, "policy must not be null");
        Assert.notNull(metrics, "metrics must not be null");
        this.breakers = Map.copyOf(breakers);
        this.timeLimiter = timeLimiter;
        this.executor = executor;
        this.policy = policy;
        this.metrics = metrics;
    }

    /**
     * Run one secondary write, recording the key in {@code repairLog} when it does not succeed.
     * @param repository the repository name
     * @param key the entity key
     * @param target the secondary store written
     * @param write the write, which must copy the primary's current state of the key
     * @param repairLog where a failure is recorded (a log kept in the primary store)
     * @throws SecondaryWriteException under {@link FailurePolicy#STRICT}, or when the failure
     * could not be recorded
     */
    public void write(String repository, String key, Store target, Runnable write, RepairLog repairLog) {
        CircuitBreaker breaker = this.breakers.get(target);
        if (!breaker.tryAcquirePermission()) {
            // Open breaker: do not even try, so the caller's latency does not suffer.
            fail(repository, key, target, FailureKind.CIRCUIT_OPEN,
                    "circuit breaker '" + breaker.getName() + "' is open; write not attempted", null, repairLog);
            return;
        }
        long start = System.nanoTime();
        try {
            this.timeLimiter.executeFutureSupplier(() -> this.executor.submit(write));
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
        catch (RejectedExecutionException ex) {
            breaker.releasePermission();
            fail(repository, key, target, FailureKind.REJECTED, "secondary write pool is saturated", ex, repairLog);
        }
        catch (TimeoutException ex) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, ex);
            Duration limit = this.timeLimiter.getTimeLimiterConfig().getTimeoutDuration();
            fail(repository, key, target, FailureKind.TIMEOUT, "timed out after " + limit, ex, repairLog);
        }
        catch (Exception ex) {
            Throwable cause = (ex instanceof ExecutionException && ex.getCause() != null) ? ex.getCause() : ex;
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, cause);
            if (ex instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            fail(repository, key, target, FailureKind.ERROR, FailureReason.describe(cause), cause, repairLog);
        }
    }

    /**
     * Stop taking secondary writes and give running ones a moment to finish.
     */
    @Override
    public void close() throws InterruptedException {
        this.executor.shutdown();
        this.executor.awaitTermination(5, TimeUnit.SECONDS);
    }

    private void fail(String repository, String key, Store target, FailureKind kind, String reason,
            @Nullable Throwable cause, RepairLog repairLog) {
        this.metrics.recordSecondaryFailure(repository, target, kind);
        try {
            repairLog.recordFailure(repository, key, target, reason);
        }
        catch (RuntimeException recordFailure) {
            // Without a record nothing would bring the secondary back in line: tell the caller,
            // whose retry is safe because every write here is idempotent.
            logger.error("Repository '{}': write of key '{}' to {} failed ({}) and could not be recorded for repair",
                    repository, key, target, reason, recordFailure);
            throw new SecondaryWriteException(repository, key, target, reason + "; recording it for repair failed too",
                    recordFailure);
        }
        logger.warn("Repository '{}': write of key '{}' to {} failed ({}); recorded for repair", repository, key,
                target, reason);
        if (this.policy == FailurePolicy.STRICT) {
            throw new SecondaryWriteException(repository, key, target, reason + "; recorded for repair", cause);
        }
    }

}
