package dev.dualwrite.core.support;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.dualwrite.core.store.AbortScope;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ticker the reconciler, the control plane and the background verifier run on: a run that
 * throws an {@link Error} does not end the schedule, a stopped ticker starts again, and stop
 * waits for a run in progress (given its grace, then interrupted).
 */
class BackgroundTickerTests {

    @Test
    void aRunThatThrowsAnErrorDoesNotEndTheSchedule() {
        AtomicInteger runs = new AtomicInteger();
        BackgroundTicker ticker = new BackgroundTicker("ticker-test-error", () -> {
            if (runs.incrementAndGet() == 1) {
                throw new AssertionError("first run fails with an Error");
            }
        }, Duration.ZERO, Duration.ofMillis(10), Duration.ZERO);
        ticker.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 3);
        }
        finally {
            ticker.stop();
        }
        assertThat(runs.get()).as("runs, the first of which threw").isGreaterThanOrEqualTo(3);
    }

    @Test
    void aRunPastItsTimeLimitIsEndedByItsAbortActionsAndTheNextRunStartsClean() {
        // Stands for a socket read on a silent server: deaf to interrupts, ended only by the
        // abort action its scope registered (a connection's abort).
        CountDownLatch aborted = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger interruptedAtStart = new AtomicInteger();
        BackgroundTicker ticker = new BackgroundTicker("ticker-test-time-limit", () -> {
            if (Thread.currentThread().isInterrupted()) {
                interruptedAtStart.incrementAndGet();
            }
            if (runs.incrementAndGet() == 1) {
                AbortScope.Registration registration = AbortScope.onAbort(aborted::countDown);
                awaitIgnoringInterrupts(aborted);
                registration.remove();
            }
        }, Duration.ZERO, Duration.ofMillis(10), Duration.ZERO, Duration.ofMillis(200));
        ticker.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 3);
        }
        finally {
            ticker.stop();
        }
        assertThat(aborted.getCount()).as("abort actions run at the time limit").isZero();
        assertThat(interruptedAtStart.get()).as("runs that started with the time limit's interrupt").isZero();
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            }
            catch (InterruptedException ex) {
                // ignored, as a JDBC socket read ignores it
            }
        }
    }

    @Test
    void aStoppedTickerStartsAgain() {
        AtomicInteger runs = new AtomicInteger();
        BackgroundTicker ticker = new BackgroundTicker("ticker-test-restart", runs::incrementAndGet, Duration.ZERO,
                Duration.ofMillis(10), Duration.ZERO);
        ticker.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 1);
        assertThat(ticker.stop()).as("stopped with no run in progress").isTrue();
        assertThat(ticker.isRunning()).isFalse();
        int before = runs.get();
        ticker.start();
        try {
            assertThat(ticker.isRunning()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() > before);
        }
        finally {
            ticker.stop();
        }
    }

    @Test
    void stopLetsARunInProgressEndWithinItsGrace() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ended = new AtomicInteger();
        BackgroundTicker ticker = new BackgroundTicker("ticker-test-grace", () -> {
            running.countDown();
            try {
                release.await();
                ended.incrementAndGet();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }, Duration.ZERO, Duration.ofHours(1), Duration.ofSeconds(30));
        ticker.start();
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        // Released once the caller of stop() waits for the run, so stop() must wait through it.
        Thread stopper = Thread.currentThread();
        Thread releaser = new Thread(() -> {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> stopper.getState() == Thread.State.TIMED_WAITING);
            release.countDown();
        });
        releaser.start();
        assertThat(ticker.stop()).as("stop waited for the run").isTrue();
        assertThat(ended.get()).as("runs that ended by themselves, not interrupted").isEqualTo(1);
        releaser.join();
    }

}
