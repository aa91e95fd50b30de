package dev.dualwrite.durability;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.boot.ApplicationRunner;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.env.Environment;

/**
 * The load of a child writer application, whatever its old store: {@code dwtest.writer.threads}
 * threads each write random keys among {@code dwtest.writer.keys} (few, so concurrent writers
 * share keys), named {@code <dwtest.writer.namespace>k<n>}, through the decorated repositories,
 * for {@code dwtest.writer.lifetime} (5 minutes) at most, printing {@link #WRITING} once and
 * {@link #WROTE} with the count every {@value #PROGRESS_EVERY} writes, until the test kills
 * the process.
 */
final class KillableWriters {

    /** Printed once the first write of the child has returned. */
    static final String WRITING = "dwtest: writers are writing";

    /** Printed with the count after every {@value #PROGRESS_EVERY} writes: "dwtest: wrote 300". */
    static final String WROTE = "dwtest: wrote ";

    static final int PROGRESS_EVERY = 50;

    /** One write of one key, chosen by the application. */
    @FunctionalInterface
    interface Write {

        /**
         * Write the key through the application's decorated repositories.
         * @param random the writing thread's random, to choose the operation
         * @param id the key
         * @param value a random value to write
         */
        void write(ThreadLocalRandom random, String id, int value);

    }

    private KillableWriters() {
    }

    /**
     * Return the runner that starts the writers and returns once the test is gone or the
     * lifetime is over.
     * @param environment the child's properties
     * @param write one write of one key
     * @return the runner
     */
    static ApplicationRunner runner(Environment environment, Write write) {
        int threads = environment.getRequiredProperty("dwtest.writer.threads", Integer.class);
        int keys = environment.getRequiredProperty("dwtest.writer.keys", Integer.class);
        String namespace = environment.getProperty("dwtest.writer.namespace", "");
        Duration lifetime = environment.getProperty("dwtest.writer.lifetime", Duration.class, Duration.ofMinutes(5));
        AtomicBoolean announced = new AtomicBoolean();
        AtomicLong written = new AtomicLong();
        return (arguments) -> {
            for (int t = 0; t < threads; t++) {
                Thread thread = new Thread(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (true) {
                        String id = namespace + "k" + random.nextInt(keys);
                        int value = random.nextInt(1_000_000);
                        try {
                            write.write(random, id, value);
                            if (announced.compareAndSet(false, true)) {
                                System.out.println(WRITING);
                            }
                            long count = written.incrementAndGet();
                            if (count % PROGRESS_EVERY == 0) {
                                System.out.println(WROTE + count);
                            }
                        }
                        catch (RuntimeException ex) {
                            // The cause too: a decorator's exception names the call, its cause why.
                            System.out.println("dwtest: write failed: " + ex + "; cause: "
                                    + NestedExceptionUtils.getMostSpecificCause(ex));
                        }
                    }
                }, "dwtest-writer-" + t);
                thread.setDaemon(true);
                thread.start();
            }
            // The test kills the child; one whose test is gone sees its standard input end (the
            // test's end of the pipe closed) and ends by itself, and the lifetime caps the rest.
            CountDownLatch testGone = new CountDownLatch(1);
            Thread watcher = new Thread(() -> {
                try {
                    while (System.in.read() != -1) {
                        // nothing is sent: only the end of the stream matters
                    }
                }
                catch (IOException ex) {
                    // a broken pipe means the same
                }
                testGone.countDown();
            }, "dwtest-stdin-watcher");
            watcher.setDaemon(true);
            watcher.start();
            testGone.await(lifetime.toMillis(), TimeUnit.MILLISECONDS);
        };
    }

}
