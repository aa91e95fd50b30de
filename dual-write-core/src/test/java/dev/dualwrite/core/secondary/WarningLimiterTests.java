package dev.dualwrite.core.secondary;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link WarningLimiter} on a clock the test sets: the first warning of a topic goes through,
 * the others within the interval are held back and counted, the next one after it goes
 * through with that count; topics do not share a window.
 */
class WarningLimiterTests {

    private final AtomicLong now = new AtomicLong(-5_000_000_000L);

    private final WarningLimiter limiter = new WarningLimiter(Duration.ofSeconds(10), this.now::get);

    @Test
    void oneWarningPerTopicAndIntervalGoesThroughWithTheCountHeldBackSinceTheLast() {
        assertThat(this.limiter.admit("orders/POSTGRES")).as("first").isZero();
        this.now.addAndGet(Duration.ofSeconds(3).toNanos());
        assertThat(this.limiter.admit("orders/POSTGRES")).isEqualTo(WarningLimiter.SUPPRESSED);
        assertThat(this.limiter.admit("orders/POSTGRES")).isEqualTo(WarningLimiter.SUPPRESSED);
        assertThat(this.limiter.admit("orders/REDIS")).as("another topic").isZero();

        this.now.addAndGet(Duration.ofSeconds(7).toNanos());
        assertThat(this.limiter.admit("orders/POSTGRES")).as("once the interval is over").isEqualTo(2);
        assertThat(this.limiter.admit("orders/POSTGRES")).isEqualTo(WarningLimiter.SUPPRESSED);

        this.now.addAndGet(Duration.ofMinutes(5).toNanos());
        assertThat(this.limiter.admit("orders/POSTGRES")).isEqualTo(1);
        assertThat(this.limiter.admit("orders/REDIS")).isZero();
    }

    @Test
    void aClockThatWrapsAroundKeepsTheInterval() {
        this.now.set(Long.MAX_VALUE - Duration.ofSeconds(1).toNanos());
        assertThat(this.limiter.admit("t")).isZero();
        this.now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(this.limiter.admit("t")).as("5 s later, past the wrap").isEqualTo(WarningLimiter.SUPPRESSED);
        this.now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(this.limiter.admit("t")).isEqualTo(1);
    }

}
