package dev.dualwrite.sample.benchmark;

import java.time.Duration;
import java.util.List;

/**
 * What the benchmarks print last: surefire reports a fork that does not end as "terminated
 * without properly saying goodbye", so they say which threads could keep it alive.
 */
final class LingeringThreads {

    private LingeringThreads() {
    }

    /**
     * Print the non-daemon threads still alive, after giving them up to five seconds to end.
     * @throws InterruptedException when interrupted while waiting
     */
    static void report() throws InterruptedException {
        List<Thread> lingering = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            lingering = Thread.getAllStackTraces()
                .keySet()
                .stream()
                .filter((thread) -> thread.isAlive() && !thread.isDaemon() && thread != Thread.currentThread())
                .toList();
            if (lingering.isEmpty()) {
                break;
            }
            Thread.sleep(100);
        }
        System.out.println("non-daemon threads left after the benchmark: "
                + (lingering.isEmpty() ? "none" : lingering.stream().map(Thread::getName).toList()));
    }

}
