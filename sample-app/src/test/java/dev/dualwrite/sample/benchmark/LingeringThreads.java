package dev.dualwrite.sample.benchmark;

import java.time.Duration;
import java.util.List;

import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * What the benchmarks print last: surefire reports a fork that does not end as "terminated
 * without properly saying goodbye", so they say which threads could keep it alive.
 */
final class LingeringThreads {

    private LingeringThreads() {
    }

    /**
     * Print the non-daemon threads still alive once they have had up to five seconds to end.
     */
    static void report() {
        Thread caller = Thread.currentThread();
        List<Thread> lingering;
        try {
            // Polled on this thread: a polling thread of its own would count itself.
            lingering = await().pollInSameThread()
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> alive(caller), List::isEmpty);
        }
        catch (ConditionTimeoutException ex) {
            lingering = alive(caller);
        }
        System.out.println("non-daemon threads left after the benchmark: "
                + (lingering.isEmpty() ? "none" : lingering.stream().map(Thread::getName).toList()));
    }

    private static List<Thread> alive(Thread caller) {
        return Thread.getAllStackTraces()
            .keySet()
            .stream()
            .filter((thread) -> thread.isAlive() && !thread.isDaemon() && thread != caller)
            .toList();
    }

}
