package dev.dualwrite.core.support;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.dualwrite.core.store.AbortScope;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

/**
 * Runs a task again and again on a daemon thread of its own, a fixed delay after each run
 * ended. Internal to the library (the reconciler, the control plane and the background
 * verifier use it); not part of its API.
 * <p>
 * Guarantees: a run that throws anything, an {@link Error} included, is logged and the task
 * runs again after the delay (a scheduled executor would otherwise cancel it for good);
 * {@link #stop()} waits for a run in progress to end, and the ticker can be started again
 * after it. With a time limit, a run still going at the limit is ended: its thread is
 * interrupted and the store connections it registered in its {@link AbortScope} (those of an
 * {@link dev.dualwrite.core.store.AbortableDataSource}) are aborted, so a silent PostgreSQL,
 * whose socket reads ignore interrupts, cannot hold the task for as long as TCP waits.
 */
public final class BackgroundTicker {

    private static final Logger logger = LoggerFactory.getLogger(BackgroundTicker.class);

    // After an interrupt, how long a run is given to notice it.
    private static final long INTERRUPTED_WAIT_MILLIS = 10_000;

    private final String name;

    private final Runnable task;

    private final Duration initialDelay;

    private final Duration delay;

    private final Duration grace;

    private final Duration timeLimit;

    private final Object lifecycle = new Object();

    private @Nullable ScheduledExecutorService executor;

    private @Nullable ScheduledExecutorService watchdog;

    /**
     * @param name the thread's name
     * @param task what to run; should catch and log its own expected failures
     * @param initialDelay time from {@link #start()} to the first run
     * @param delay time from the end of one run to the start of the next
     * @param grace time {@link #stop()} lets a run in progress end by itself before it is
     * interrupted (zero: interrupted at once)
     */
    public BackgroundTicker(String name, Runnable task, Duration initialDelay, Duration delay, Duration grace) {
        this(name, task, initialDelay, delay, grace, Duration.ZERO);
    }

    /**
     * @param name the thread's name
     * @param task what to run; should catch and log its own expected failures, a run ended
     * at the time limit included (it fails with the exception of its aborted connection)
     * @param initialDelay time from {@link #start()} to the first run
     * @param delay time from the end of one run to the start of the next
     * @param grace time {@link #stop()} lets a run in progress end by itself before it is
     * interrupted (zero: interrupted at once)
     * @param timeLimit time after which a run still going is ended (zero: never)
     */
    public BackgroundTicker(String name, Runnable task, Duration initialDelay, Duration delay, Duration grace,
            Duration timeLimit) {
        Assert.hasText(name, "name must not be empty");
        Assert.notNull(task, "task must not be null");
        Assert.isTrue(initialDelay != null && !initialDelay.isNegative(), "initialDelay must not be negative");
        Assert.isTrue(delay != null && delay.toMillis() > 0, "delay must be at least a millisecond");
        Assert.isTrue(grace != null && !grace.isNegative(), "grace must not be negative");
        Assert.isTrue(timeLimit != null && !timeLimit.isNegative(), "timeLimit must not be negative");
        this.timeLimit = timeLimit;
        this.name = name;
        this.task = task;
        this.initialDelay = initialDelay;
        this.delay = delay;
        this.grace = grace;
    }

    /**
     * Start running the task; does nothing while it runs already.
     */
    public void start() {
        synchronized (this.lifecycle) {
            if (this.executor != null) {
                return;
            }
            ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor((runnable) -> {
                Thread thread = new Thread(runnable, this.name);
                thread.setDaemon(true);
                return thread;
            });
            ScheduledExecutorService watching = this.timeLimit.isZero() ? null
                    : Executors.newSingleThreadScheduledExecutor((runnable) -> {
                        Thread thread = new Thread(runnable, this.name + "-watchdog");
                        thread.setDaemon(true);
                        return thread;
                    });
            started.scheduleWithFixedDelay(() -> runOnce(watching), this.initialDelay.toMillis(),
                    this.delay.toMillis(), TimeUnit.MILLISECONDS);
            this.executor = started;
            this.watchdog = watching;
        }
    }

    /**
     * Return whether the task is scheduled.
     * @return whether {@link #start()} was called since the last {@link #stop()}
     */
    public boolean isRunning() {
        synchronized (this.lifecycle) {
            return this.executor != null;
        }
    }

    /**
     * Stop running the task: no run starts after this call; a run in progress gets the grace
     * time, then is interrupted and waited for a little longer.
     * @return whether no run is in progress any more (false: one ignored the interrupt)
     */
    public boolean stop() {
        ScheduledExecutorService stopping;
        ScheduledExecutorService watching;
        synchronized (this.lifecycle) {
            stopping = this.executor;
            watching = this.watchdog;
            this.executor = null;
            this.watchdog = null;
        }
        if (stopping == null) {
            return true;
        }
        try {
            stopping.shutdown();
            if (!this.grace.isZero() && stopping.awaitTermination(this.grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            stopping.shutdownNow();
            return stopping.awaitTermination(INTERRUPTED_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            stopping.shutdownNow();
            Thread.currentThread().interrupt();
            return stopping.isTerminated();
        }
        finally {
            if (watching != null) {
                watching.shutdownNow();
            }
        }
    }

    private void runOnce(@Nullable ScheduledExecutorService watchdog) {
        AbortScope scope = AbortScope.create();
        Deadline deadline = new Deadline(Thread.currentThread());
        Future<?> alarm = null;
        if (watchdog != null) {
            try {
                alarm = watchdog.schedule(() -> {
                    // Interrupted for what waits interruptibly (a pool's connection wait), then
                    // its connections aborted for what does not (a socket read).
                    if (deadline.interrupt()) {
                        scope.abort();
                    }
                }, this.timeLimit.toNanos(), TimeUnit.NANOSECONDS);
            }
            catch (RejectedExecutionException ex) {
                // Stopping: this run is the last, and stop() interrupts it.
            }
        }
        try {
            if (watchdog != null) {
                scope.run(this.task);
            }
            else {
                // No time limit: no scope either, so store code registers nothing to abort.
                this.task.run();
            }
        }
        catch (Throwable ex) {
            // Not rethrown: the executor would never run the task again. The type only, as a
            // message may carry stored values; the stack trace at debug level.
            logger.error("dual-write: background task '{}' failed ({}); running it again in {}", this.name,
                    ex.getClass().getName(), this.delay);
            logger.debug("dual-write: background task '{}' failed", this.name, ex);
        }
        finally {
            if (alarm != null) {
                alarm.cancel(false);
            }
            deadline.finish();
        }
    }

    // The run's deadline: interrupting the thread and finishing the run are serialised, so an
    // interrupt of ours never lands after the run and never outlives it.
    private static final class Deadline {

        private final Thread thread;

        private boolean passed;

        private boolean finished;

        Deadline(Thread thread) {
            this.thread = thread;
        }

        synchronized boolean interrupt() {
            if (this.finished) {
                return false;
            }
            this.passed = true;
            this.thread.interrupt();
            return true;
        }

        // On the run's thread: clears the interrupt of ours, so the next run starts clean
        // (one of stop()'s comes after the executor is shut down and ends the thread anyway).
        synchronized void finish() {
            this.finished = true;
            if (this.passed) {
                Thread.interrupted();
            }
        }

    }

}
