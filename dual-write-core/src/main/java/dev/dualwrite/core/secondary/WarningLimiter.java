package dev.dualwrite.core.secondary;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets one warning per topic through each interval and counts the others, so that an outage
 * of a secondary store, which fails every write, logs a line every few seconds rather than
 * one per write (the meters count every failure).
 */
final class WarningLimiter {

    /** What {@link #admit} answers for a warning to keep at a quieter level. */
    static final long SUPPRESSED = -1;

    private final long intervalNanos;

    private final LongSupplier nanoTime;

    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    WarningLimiter(Duration interval) {
        this(interval, System::nanoTime);
    }

    WarningLimiter(Duration interval, LongSupplier nanoTime) {
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * Decide about one warning of a topic.
     * @return how many warnings of the topic were held back since the last one let through,
     * when this one goes through; {@link #SUPPRESSED} when it is held back
     */
    long admit(String topic) {
        long now = this.nanoTime.getAsLong();
        Window window = this.windows.computeIfAbsent(topic, (name) -> new Window(now));
        long next = window.next.get();
        // Compared by difference: nanoTime values may be negative and wrap.
        if (now - next < 0 || !window.next.compareAndSet(next, now + this.intervalNanos)) {
            window.heldBack.incrementAndGet();
            return SUPPRESSED;
        }
        return window.heldBack.getAndSet(0);
    }

    private static final class Window {

        // When the topic's next warning may go through.
        final AtomicLong next;

        final AtomicLong heldBack = new AtomicLong();

        Window(long now) {
            this.next = new AtomicLong(now);
        }

    }

}
