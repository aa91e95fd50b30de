package dev.dualwrite.durability;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.dualwrite.core.redis.json.EnableRedisJsonRepositories;
import dev.dualwrite.durability.hashjdbc.NutRowRepository;
import dev.dualwrite.durability.hashredis.NutRepository;
import dev.dualwrite.durability.jdbc.BoltRowRepository;
import dev.dualwrite.durability.redis.BoltRepository;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;

/**
 * A host application with both Redis shapes, {@code durability_bolts} (JSON strings) and
 * {@code durability_nuts} ({@code @RedisHash}). Started in the test's JVM to verify and
 * repair, and as a child process that writes until it is killed:
 * {@code dwtest.writer.threads} threads save and delete random keys among
 * {@code dwtest.writer.keys} (few, so concurrent writers share keys), named
 * {@code <dwtest.writer.namespace>k<n>}, for {@code dwtest.writer.lifetime} (5 minutes) at
 * most, or, with {@code dwtest.writer.once=<id>}, one save of one bolt.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableRedisJsonRepositories(basePackageClasses = BoltRepository.class)
@EnableRedisRepositories(basePackageClasses = NutRepository.class)
@EnableJdbcRepositories(basePackageClasses = { BoltRowRepository.class, NutRowRepository.class })
public class WriterApplication {

    /** Printed once the first write of the child has returned. */
    static final String WRITING = "dwtest: writers are writing";

    /** Printed with the count after every {@value #PROGRESS_EVERY} writes: "dwtest: wrote 300". */
    static final String WROTE = "dwtest: wrote ";

    static final int PROGRESS_EVERY = 50;

    public static void main(String[] args) {
        // Writers are daemon threads: once the runners have returned (the writers' after their
        // lifetime), the child exits even if the test that started it failed to kill it.
        System.exit(SpringApplication.exit(SpringApplication.run(WriterApplication.class, args)));
    }

    @Bean
    @ConditionalOnProperty("dwtest.writer.threads")
    ApplicationRunner writers(BoltRepository bolts, NutRepository nuts, Environment environment) {
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
                            switch (random.nextInt(10)) {
                                case 0, 1, 2, 3 -> bolts.save(new Bolt(id, "bolt " + value, value));
                                case 4 -> bolts.deleteById(id);
                                case 5, 6, 7, 8 -> nuts.save(new Nut(id, "nut " + value, value));
                                default -> nuts.deleteById(id);
                            }
                            if (announced.compareAndSet(false, true)) {
                                System.out.println(WRITING);
                            }
                            long count = written.incrementAndGet();
                            if (count % PROGRESS_EVERY == 0) {
                                System.out.println(WROTE + count);
                            }
                        }
                        catch (RuntimeException ex) {
                            System.out.println("dwtest: write failed: " + ex);
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

    @Bean
    @ConditionalOnProperty("dwtest.writer.once")
    ApplicationRunner oneWrite(BoltRepository bolts, Environment environment) {
        String id = environment.getRequiredProperty("dwtest.writer.once");
        return (arguments) -> {
            bolts.save(new Bolt(id, "written once", 1));
            System.out.println("dwtest: saved " + id);
        };
    }

}
