package dev.dualwrite.sample.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU time of this JVM's threads, grouped by name, from Linux's {@code /proc/self/task}: the
 * JIT compiler's and the garbage collector's threads included, which the JVM's own thread
 * beans do not show. The benchmark prints where each approach's JVM CPU went with it, so that
 * the library's own threads can be told apart from compilation, collection and the Redis
 * client's I/O threads. Linux keeps the first 15 characters of a thread's name, so the
 * backfill's reader, writers and job thread make one group ({@code dualwrite-backf}); a
 * thread that ended goes uncounted for at most its last 250 ms. Empty where there is no
 * {@code /proc}.
 */
final class ThreadCpu implements AutoCloseable {

    // Threads that end during a measurement (a backfill's writers do, at its end) are seen
    // last this long before; the reads cost about a millisecond each.
    private static final long SAMPLE_MILLIS = 250;

    private final Map<String, Long> start;

    private final Map<String, Long> latest = new ConcurrentHashMap<>();

    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor((task) -> {
        Thread thread = new Thread(task, "benchmark-thread-cpu");
        thread.setDaemon(true);
        return thread;
    });

    private ThreadCpu(Map<String, Long> start) {
        this.start = start;
        this.sampler.scheduleAtFixedRate(this::sample, SAMPLE_MILLIS, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Start counting from now. */
    static ThreadCpu start() {
        return new ThreadCpu(snapshot());
    }

    @Override
    public void close() {
        this.sampler.shutdownNow();
    }

    /**
     * Return the CPU used since {@link #start()} per thread group, in microseconds per row,
     * the largest first, groups under 0.1 us/row left out.
     */
    String perRow(int rows) {
        sample();
        Map<String, Double> used = new HashMap<>();
        this.latest.forEach((thread, nanos) -> used.merge(group(thread.substring(thread.indexOf(' ') + 1)),
                (nanos - this.start.getOrDefault(thread, 0L)) / 1e3 / rows, Double::sum));
        return used.entrySet().stream()
            .filter((group) -> group.getValue() >= 0.1)
            .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
            .map((group) -> String.format(Locale.ROOT, "%s %.1f", group.getKey(), group.getValue()))
            .collect(Collectors.joining(", "));
    }

    // A thread's CPU only grows: the larger reading wins, whichever of two samples ends last.
    private void sample() {
        snapshot().forEach((thread, nanos) -> this.latest.merge(thread, nanos, Math::max));
    }

    // A thread's group: its name without the numbers that tell pool members apart.
    private static String group(String name) {
        return name.replaceAll("[#-]?\\d+", "").trim();
    }

    // CPU so far by "tid name"; a thread that ended is gone from it.
    private static Map<String, Long> snapshot() {
        Map<String, Long> threads = new LinkedHashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                ProcStat stat = ProcStat.read(task.resolve("stat"));
                if (stat != null) {
                    threads.put(task.getFileName() + " " + stat.name(), stat.cpuNanos());
                }
            }
        }
        catch (IOException ex) {
            return Map.of();
        }
        return threads;
    }

}
