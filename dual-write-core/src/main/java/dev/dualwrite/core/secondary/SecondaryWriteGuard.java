package dev.dualwrite.core.secondary;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.dualwrite.core.metrics.DualWriteMetrics;
import dev.dualwrite.core.metrics.DualWriteMetrics.FailureKind;
import dev.dualwrite.core.repair.FailureReason;
import dev.dualwrite.core.repair.RepairLog;
import dev.dualwrite.core.store.AbortScope;
import dev.dualwrite.core.strategy.Store;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.timelimiter.TimeLimiter;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.QueryTimeoutException;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.Assert;

/**
 * Runs secondary-store writes so that a slow, dead or silent secondary never hurts the caller:
 * each write runs on a bounded pool under a Resilience4j time limit, behind one circuit
 * breaker per store. A write that fails, times out, is rejected by a saturated pool or is not
 * even tried because the breaker is open leaves a repair record for its key.
 * <p>
 * A write still running at the time limit is ended, whatever the store client's own
 * timeouts: its thread is interrupted (which ends a Lettuce command wait, and Hikari's wait
 * for a free pooled connection, though not its validation of an idle one, which may block up
 * to its {@code validationTimeout}) and, if still blocked {@link #ABORT_GRACE a moment
 * later}, the PostgreSQL connection of the transaction it started is aborted (a JDBC socket
 * read ignores interrupts). Either way the transaction rolls back and its connection and key
 * lock are released, so a hung secondary holds neither much beyond the time limit. Ending a
 * write early is harmless: secondary writes copy the primary's current state and are
 * idempotent, and the key is recorded for repair.
 */
public class SecondaryWriteGuard implements AutoCloseable {

    /**
     * How long a timed-out write may take to end after its thread was interrupted, before the
     * PostgreSQL connection it blocks on is aborted.
     */
    public static final Duration ABORT_GRACE = Duration.ofMillis(250);

    private static final Logger logger = LoggerFactory.getLogger(SecondaryWriteGuard.class);

    // An outage fails every write: a warning per write would flood the log.
    private static final Duration WARNING_INTERVAL = Duration.ofSeconds(10);

    private final WarningLimiter warnings = new WarningLimiter(WARNING_INTERVAL);

    private final Map<Store, CircuitBreaker> breakers;

    private final TimeLimiter timeLimiter;

    private final ExecutorService executor;

    private final FailurePolicy policy;

    private final DualWriteMetrics metrics;

    private final ScheduledThreadPoolExecutor watchdog;

    /**
     * @param breakers one circuit breaker per store
     * @param timeLimiter the time limit of one secondary write; a write past it is ended
     * whatever the limiter's {@code cancelRunningFuture}
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
        this.watchdog = new ScheduledThreadPoolExecutor(1, (task) -> {
            Thread thread = new Thread(task, "dualwrite-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        this.watchdog.setRemoveOnCancelPolicy(true);
    }

    /**
     * Return the time limit of one secondary write.
     * @return the limiter's timeout
     */
    public Duration timeLimit() {
        return this.timeLimiter.getTimeLimiterConfig().getTimeoutDuration();
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
        write(repository, key, target, write, repairLog, false);
    }

    /**
     * Run one secondary write, recording the key in {@code repairLog} when it does not succeed.
     * @param repository the repository name
     * @param key the entity key
     * @param target the secondary store written
     * @param write the write, which must copy the primary's current state of the key
     * @param repairLog where a failure is recorded (a log kept in the primary store)
     * @param alreadyRecorded whether the key already has a durable record in {@code repairLog}
     * that only this write removes (the outbox record committed with the primary write): a
     * failure to update that record is then logged, not thrown, because the key stays covered
     * @throws SecondaryWriteException under {@link FailurePolicy#STRICT}, or when the failure
     * could not be recorded and the key was not recorded already
     */
    public void write(String repository, String key, Store target, Runnable write, RepairLog repairLog,
            boolean alreadyRecorded) {
        CircuitBreaker breaker = this.breakers.get(target);
        if (!breaker.tryAcquirePermission()) {
            // Open breaker: do not even try, so the caller's latency does not suffer.
            fail(repository, key, target, FailureKind.CIRCUIT_OPEN,
                    "circuit breaker '" + breaker.getName() + "' is open; write not attempted", null, repairLog,
                    alreadyRecorded);
            return;
        }
        long start = System.nanoTime();
        AbortScope scope = AbortScope.create();
        AtomicReference<Future<?>> submitted = new AtomicReference<>();
        try {
            this.timeLimiter.executeFutureSupplier(() -> {
                Future<?> future = this.executor.submit(() -> scope.run(write));
                submitted.set(future);
                return future;
            });
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
        catch (RejectedExecutionException ex) {
            breaker.releasePermission();
            fail(repository, key, target, FailureKind.REJECTED, "secondary write pool is saturated", ex, repairLog,
                    alreadyRecorded);
        }
        catch (TimeoutException ex) {
            end(submitted.get(), scope);
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, ex);
            fail(repository, key, target, FailureKind.TIMEOUT, "timed out after " + timeLimit(), ex, repairLog,
                    alreadyRecorded);
        }
        catch (Exception ex) {
            Throwable cause = (ex instanceof ExecutionException && ex.getCause() != null) ? ex.getCause() : ex;
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, cause);
            if (ex instanceof InterruptedException) {
                end(submitted.get(), scope);
                Thread.currentThread().interrupt();
            }
            fail(repository, key, target, FailureKind.ERROR, FailureReason.describe(cause), cause, repairLog,
                    alreadyRecorded);
        }
    }

    /**
     * Run {@code work} on the calling thread within the secondary's time limit, for work
     * outside the write path that copies between the stores under a key's lock (a repair):
     * past the limit the thread is interrupted and, if still blocked {@link #ABORT_GRACE a
     * moment later}, the PostgreSQL connection of the transaction the work started is aborted,
     * so the work never holds a connection or a key's lock much longer than the limit. No
     * circuit breaker and no repair record: failures are thrown.
     * <p>
     * The limit holds only when the library owns the transaction: called inside a
     * transaction of the caller's, the work joins it, and an interrupt or an abort would roll
     * back all of the caller's work, so the work then runs unlimited, bounded only by the
     * stores' own timeouts (and the key's lock is held until the caller's transaction ends).
     * @param work the work
     * @param <T> the result type
     * @return what {@code work} returned
     * @throws QueryTimeoutException when the work was ended at the time limit
     */
    public <T> T withinTimeLimit(Supplier<T> work) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            // The caller's transaction (on whichever manager: the work may join it, and which
            // manager the store uses is not known here) is not ours to end.
            return work.get();
        }
        AbortScope scope = AbortScope.create();
        Deadline deadline = new Deadline(Thread.currentThread());
        Future<?> alarm = schedule(() -> {
            if (deadline.interrupt()) {
                schedule(scope::abort, ABORT_GRACE);
            }
        }, timeLimit());
        AtomicReference<T> result = new AtomicReference<>();
        try {
            scope.run(() -> result.set(work.get()));
        }
        catch (RuntimeException ex) {
            if (deadline.passed()) {
                throw new QueryTimeoutException("Store work did not finish within " + timeLimit() + " and was ended ("
                        + FailureReason.describe(ex) + ")", ex);
            }
            throw ex;
        }
        finally {
            alarm.cancel(false);
            deadline.finish();
        }
        if (deadline.passed()) {
            // Finished although interrupted: the result stands, the interrupt was ours.
            logger.debug("Store work finished after its time limit of {}", timeLimit());
        }
        return result.get();
    }

    /**
     * Stop taking secondary writes and give running ones a moment to finish.
     */
    @Override
    public void close() throws InterruptedException {
        this.executor.shutdown();
        try {
            if (!this.executor.awaitTermination(5, TimeUnit.SECONDS)) {
                // Hung writes: interrupt them; each is covered by a repair record anyway.
                this.executor.shutdownNow();
            }
        }
        finally {
            this.watchdog.shutdownNow();
        }
    }

    // A write that outlived its limit is ended: interrupted now, its connection aborted after
    // a grace if the interrupt did not reach it (a no-op once the write is over).
    private void end(@Nullable Future<?> future, AbortScope scope) {
        if (future != null) {
            future.cancel(true);
        }
        schedule(scope::abort, ABORT_GRACE);
    }

    private Future<?> schedule(Runnable task, Duration delay) {
        try {
            return this.watchdog.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (RejectedExecutionException ex) {
            // Closing: nothing is left to watch.
            return new FutureTask<>(() -> null);
        }
    }

    private void fail(String repository, String key, Store target, FailureKind kind, String reason,
            @Nullable Throwable cause, RepairLog repairLog, boolean alreadyRecorded) {
        this.metrics.recordSecondaryFailure(repository, target, kind);
        try {
            repairLog.recordFailure(repository, key, target, reason);
            warn(repository, target, "Repository '{}': write of key '{}' to {} failed ({}); recorded for repair{}",
                    repository, key, target, reason);
        }
        catch (RuntimeException recordFailure) {
            if (!alreadyRecorded) {
                // Without a record nothing would bring the secondary back in line: tell the
                // caller, whose retry is safe because every write here is idempotent.
                logger.error("Repository '{}': write of key '{}' to {} failed ({}) and could not be recorded for repair",
                        repository, key, target, reason, recordFailure);
                throw new SecondaryWriteException(repository, key, target,
                        reason + "; recording it for repair failed too", recordFailure);
            }
            // The record made with the primary write still covers the key: only its reason
            // and attempt count are stale, and the reconciler repairs the key all the same.
            warn(repository, target, "Repository '{}': write of key '{}' to {} failed ({}); its repair record could "
                    + "not be updated ({}) but still covers the key{}", repository, key, target, reason,
                    FailureReason.describe(recordFailure));
        }
        if (this.policy == FailurePolicy.STRICT) {
            throw new SecondaryWriteException(repository, key, target, reason + "; recorded for repair", cause);
        }
    }

    // One warning per repository and store every WARNING_INTERVAL, saying how many more
    // failed meanwhile; the others at debug level. The message's last placeholder takes that.
    private void warn(String repository, Store target, String message, Object... arguments) {
        long heldBack = this.warnings.admit(repository + "/" + target);
        Object[] withCount = Arrays.copyOf(arguments, arguments.length + 1);
        if (heldBack == WarningLimiter.SUPPRESSED) {
            withCount[arguments.length] = "";
            logger.debug(message, withCount);
            return;
        }
        withCount[arguments.length] = (heldBack > 0) ? "; " + heldBack + " more failed since the last warning, "
                + "logged at debug level (dualwrite.secondary.failures counts every one)" : "";
        logger.warn(message, withCount);
    }

    // The calling thread's deadline: interrupting it and finishing are serialised, so an
    // interrupt never lands after the work is over.
    private static final class Deadline {

        private final Thread thread;

        private boolean passed;

        private boolean finished;

        // Whether the thread was interrupted already when the deadline passed: that interrupt
        // is someone else's and must survive finish().
        private boolean interruptedBefore;

        Deadline(Thread thread) {
            this.thread = thread;
        }

        synchronized boolean interrupt() {
            if (this.finished) {
                return false;
            }
            this.passed = true;
            this.interruptedBefore = this.thread.isInterrupted();
            this.thread.interrupt();
            return true;
        }

        synchronized boolean passed() {
            return this.passed;
        }

        synchronized void finish() {
            if (!this.finished && this.passed && !this.interruptedBefore) {
                // Clear our interrupt, so it does not hit whatever the thread does next. An
                // interrupt from elsewhere that lands after ours is indistinguishable from it
                // (the flag is one bit) and is cleared too; one that came first is kept.
                Thread.interrupted();
            }
            this.finished = true;
        }

    }

}
