package dev.dualwrite.secondary;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.dualwrite.autoconfigure.properties.DualWriteProperties;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyOptions;
import dev.dualwrite.secondary.app.HungItem;
import dev.dualwrite.secondary.app.HungSecondaryApplication;
import dev.dualwrite.secondary.app.redis.HungItemRepository;
import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.TcpProxy;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestServers;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The proof that a hung secondary never stalls the primary, with the library's
 * default settings (time limit, pools, circuit breaker, reconciler) and Hikari's and
 * Lettuce's defaults: only the addresses are set, pointing both stores through a
 * {@link TcpProxy}. Under 8 writers the secondary goes silent (the proxy accepts and never
 * answers) and, separately, refuses connections for 40 s: in {@code POSTGRES_PRIMARY} with
 * Redis as the secondary and in {@code DUAL} with PostgreSQL as the secondary. No caller
 * fails, the callers' 99th percentile stays within the secondary's time limit plus a small
 * margin, calls keep starting right after the secondary comes back, and the stores converge.
 */
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
// One warning per write recorded for repair, tens of thousands during an outage, would measure
// how fast the build reads this JVM's console rather than the library: they are left out.
@SpringBootTest(classes = HungSecondaryApplication.class, properties = { "spring.flyway.locations=classpath:db/hung",
        "logging.level.dev.dualwrite.core.secondary.SecondaryWriteGuard=ERROR" })
class HungSecondaryProofTests {

    private static final String REPOSITORY = "hung_items";

    private static final int WRITERS = 8;

    private static final int KEYS_PER_WRITER = 100;

    // Scheduling noise of a shared 2-core machine on top of the time limit.
    private static final Duration MARGIN = Duration.ofMillis(750);

    // Every Redis key of the run under one prefix of its own (entities and repair log alike),
    // which the stores delete when they start and close: a second build on the machine, running
    // this class or its sibling on the same entity, touches none of them.
    private static final String KEYS = TestKeyPrefix.create(HungSecondaryProofTests.class).prefix();

    private static final ContractStores stores = ContractStores.start(HungSecondaryProofTests.class, KEYS);

    @Autowired
    private HungItemRepository repository;

    @Autowired
    private StrategySource strategies;

    @Autowired
    private Verifier verifier;

    @Autowired
    private DualRepositoryRegistry registry;

    @Autowired
    private RedisRepairLog redisRepairLog;

    @Autowired
    private PostgresRepairLog postgresRepairLog;

    @Autowired
    private DualWriteProperties properties;

    @Autowired
    private DataSource dataSource;

    // Addresses only: every timeout and pool size stays at its default.
    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        PostgresServer proxied = TestServers.postgres()
            .withAddress(stores.postgresProxy().host(), stores.postgresProxy().port());
        registry.add("spring.datasource.url", () -> proxied.jdbcUrl(stores.schema()));
        registry.add("spring.datasource.username", proxied::username);
        registry.add("spring.datasource.password", proxied::password);
        registry.add("spring.flyway.schemas", stores::schema);
        registry.add(HungItem.PREFIX_PROPERTY, () -> KEYS);
        registry.add("dual-write.repair.redis-key-prefix", () -> KEYS + "dualwrite:");
        registry.add("spring.data.redis.host", stores.redisProxy()::host);
        registry.add("spring.data.redis.port", stores.redisProxy()::port);
    }

    @AfterAll
    static void cleanUp() {
        stores.restore();
        stores.clearPostgres(List.of(REPOSITORY));
        stores.close();
    }

    @Test
    @Order(4)
    void postgresPrimaryCopyHungOnASilentRedisIsEndedWhileRedisStaysSilent() {
        assertHungCopyEnded(WriteStrategy.POSTGRES_PRIMARY, stores.redisProxy(), "io.lettuce.");
    }

    @Test
    @Order(5)
    void postgresPrimaryCallersDoNotWaitForASilentRedis() throws Exception {
        Outage outage = run(WriteStrategy.POSTGRES_PRIMARY, "Redis silent 20 s", stores.redisProxy(),
                () -> stores.redisProxy().blackhole(true), Duration.ofSeconds(20));
        assertWithinTimeLimit(outage);
    }

    @Test
    @Order(6)
    void postgresPrimaryCallersDoNotWaitForARefusingRedis() throws Exception {
        Outage outage = run(WriteStrategy.POSTGRES_PRIMARY, "Redis refusing 40 s", stores.redisProxy(),
                stores.redisProxy()::refuseConnections, Duration.ofSeconds(40));
        assertWithinTimeLimit(outage);
    }

    @Test
    @Order(1)
    void dualCopyHungOnASilentPostgresIsEndedWhilePostgresStaysSilent() {
        assertHungCopyEnded(WriteStrategy.DUAL, stores.postgresProxy(), "org.postgresql.");
    }

    @Test
    @Order(2)
    void dualCallersDoNotWaitForASilentPostgres() throws Exception {
        Outage outage = run(WriteStrategy.DUAL, "PostgreSQL silent 20 s", stores.postgresProxy(),
                () -> stores.postgresProxy().blackhole(true), Duration.ofSeconds(20));
        assertWithinTimeLimit(outage);
    }

    @Test
    @Order(3)
    void dualCallersDoNotWaitForARefusingPostgres() throws Exception {
        Outage outage = run(WriteStrategy.DUAL, "PostgreSQL refusing 40 s", stores.postgresProxy(),
                stores.postgresProxy()::refuseConnections, Duration.ofSeconds(40));
        assertWithinTimeLimit(outage);
    }

    // One write whose copy hangs on the silent secondary: the caller returns at the time limit,
    // and the copy's thread leaves the store client while the proxy still forwards nothing, so
    // only the guard can have ended it (a Lettuce wait by interrupt, a JDBC read by aborting
    // the connection); then, still while silent, no session holds the key's advisory lock and
    // every active pooled connection is accounted for by a thread outside the secondary pool
    // that waits in the PostgreSQL driver (the control plane's poll and the reconciler are not
    // time-limited and hang on a silent PostgreSQL): the copy holds no connection any more.
    private void assertHungCopyEnded(WriteStrategy stage, TcpProxy secondary, String clientPackage) {
        this.strategies.change(REPOSITORY, stage, true);
        this.repository.save(new HungItem("probe", "before", 0));
        Duration limit = this.properties.getSecondary().getTimeout();
        HikariPoolMXBean pool = hikariPool();
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.getActiveConnections() == 0);
        secondary.blackhole(true);
        try {
            long start = System.nanoTime();
            this.repository.save(new HungItem("probe", "during", 1));
            Duration call = Duration.ofNanos(System.nanoTime() - start);
            // One call on a shared machine: a looser margin than the percentile's below.
            assertThat(call).as("%s: the caller's wait for a silent secondary", stage)
                .isLessThanOrEqualTo(limit.plusSeconds(2));
            await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> secondaryThreadsIn(clientPackage) == 0);
            Duration ended = Duration.ofNanos(System.nanoTime() - start);
            DualRepository<Object, Object, Object> pair = this.registry.find(HungItemRepository.class).orElseThrow();
            String lockName = pair.postgres().lockName(pair.keyOf("probe"));
            await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> {
                    assertThat(advisoryLocksHeldOn(lockName)).as("%s: sessions holding the key's lock", stage).isZero();
                    assertThat(pool.getActiveConnections())
                        .as("%s: active pooled connections beyond those of threads waiting in the driver", stage)
                        .isLessThanOrEqualTo((int) threadsOutsideSecondaryPoolIn("org.postgresql."));
                });
            System.out.printf("%s, secondary silent: the call returned after %.3f s, its copy's thread was out of "
                    + "the store client %.3f s after the call began, the secondary still silent; then no lock held "
                    + "on the key, %d active pooled connection(s) (%d thread(s) outside the secondary pool waiting "
                    + "in the PostgreSQL driver)%n", stage, call.toNanos() / 1e9, ended.toNanos() / 1e9,
                    pool.getActiveConnections(), threadsOutsideSecondaryPoolIn("org.postgresql."));
        }
        finally {
            secondary.restore();
        }
    }

    private HikariPoolMXBean hikariPool() {
        try {
            return this.dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean();
        }
        catch (SQLException ex) {
            throw new IllegalStateException(ex);
        }
    }

    // Sessions holding the advisory lock of a lock name (a bigint lock: classid holds its high
    // 32 bits, objid its low ones), read directly, not through the proxy.
    private static int advisoryLocksHeldOn(String lockName) {
        return stores.postgres()
            .queryForObject("select count(*) from pg_locks where locktype = 'advisory' and granted and objsubid = 1 "
                    + "and pid <> pg_backend_pid() "
                    + "and database = (select oid from pg_database where datname = current_database()) "
                    + "and ((classid::bigint << 32) | objid::bigint) = hashtextextended(?, 0)", Integer.class,
                    lockName);
    }

    private static long threadsOutsideSecondaryPoolIn(String clientPackage) {
        return Thread.getAllStackTraces()
            .entrySet()
            .stream()
            .filter((thread) -> !thread.getKey().getName().startsWith("dualwrite-secondary-"))
            .filter((thread) -> Arrays.stream(thread.getValue())
                .anyMatch((frame) -> frame.getClassName().startsWith(clientPackage)))
            .count();
    }

    private static long secondaryThreadsIn(String clientPackage) {
        return Thread.getAllStackTraces()
            .entrySet()
            .stream()
            .filter((thread) -> thread.getKey().getName().startsWith("dualwrite-secondary-"))
            .filter((thread) -> Arrays.stream(thread.getValue())
                .anyMatch((frame) -> frame.getClassName().startsWith(clientPackage)))
            .count();
    }

    private void assertWithinTimeLimit(Outage outage) {
        Duration limit = this.properties.getSecondary().getTimeout().plus(MARGIN);
        assertThat(outage.failures()).as("%s: caller failures", outage.label()).isEmpty();
        assertThat(outage.percentile(99)).as("%s: caller p99", outage.label()).isLessThanOrEqualTo(limit);
        // Far below the clients' own waits (Lettuce 60 s, Hikari 30 s): catches a write that
        // is no longer ended at the time limit.
        assertThat(outage.max()).as("%s: slowest call", outage.label())
            .isLessThanOrEqualTo(this.properties.getSecondary().getTimeout().plusSeconds(3));
        assertThat(outage.firstStartAfterRestore())
            .as("%s: wait for the first call to start once the secondary is back", outage.label())
            .isLessThanOrEqualTo(limit);
        awaitConverged(outage.label());
    }

    private Outage run(WriteStrategy stage, String fault, TcpProxy proxy, Runnable inject, Duration length)
            throws Exception {
        String label = stage + ", " + fault + ", " + WRITERS + " writers";
        this.strategies.change(REPOSITORY, stage, true);
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<long[]> calls = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<?>> writers = new ArrayList<>();
        long injectedAt;
        long restoredAt;
        try {
            for (int i = 0; i < WRITERS; i++) {
                int writer = i;
                writers.add(pool.submit(() -> write(writer, running, calls, failures)));
            }
            // Every writer under way before the fault.
            await().atMost(Duration.ofSeconds(60)).until(() -> calls.size() >= WRITERS * 20);
            injectedAt = System.nanoTime();
            inject.run();
            // The fault lasts its set length: that length is what the test injects.
            await().pollDelay(length).atMost(length.plusSeconds(1)).until(() -> true);
        }
        finally {
            proxy.restore();
            restoredAt = System.nanoTime();
        }
        try {
            // Calls go on after the store is back, long enough to see them run normally again.
            long back = restoredAt;
            await().atMost(Duration.ofSeconds(60))
                .until(() -> calls.stream().filter((call) -> call[0] > back).count() >= WRITERS * 50);
        }
        finally {
            running.set(false);
            for (Future<?> writer : writers) {
                writer.get(120, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
        }
        Outage outage = new Outage(label, calls.toArray(long[][]::new), List.copyOf(failures), injectedAt, restoredAt);
        System.out.println(outage.summary());
        failures.stream().distinct().limit(5).forEach((failure) -> System.out.println("  failure: " + failure));
        return outage;
    }

    // Each writer has keys of its own, so writers never wait for each other's key locks.
    private void write(int writer, AtomicBoolean running, ConcurrentLinkedQueue<long[]> calls,
            ConcurrentLinkedQueue<String> failures) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = 0;
        while (running.get()) {
            String id = "w" + writer + "-" + random.nextInt(KEYS_PER_WRITER);
            long begin = System.nanoTime();
            try {
                if (random.nextInt(5) == 0) {
                    this.repository.deleteById(id);
                }
                else {
                    this.repository.save(new HungItem(id, "w" + writer + "-" + i, i));
                }
            }
            catch (RuntimeException ex) {
                failures.add(ex.toString());
            }
            calls.add(new long[] { begin, System.nanoTime() });
            i++;
        }
    }

    private void awaitConverged(String label) {
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(this.redisRepairLog.pendingCount(REPOSITORY)).as("%s: Redis repair log", label).isZero();
            assertThat(this.postgresRepairLog.pendingCount(REPOSITORY)).as("%s: PostgreSQL repair log", label).isZero();
        });
        VerificationReport report = this.verifier.verify(Verifier.find(this.registry::all, REPOSITORY),
                VerifyOptions.full());
        assertThat(report.differences()).as("%s: %s", label, report.summary()).isEmpty();
        assertThat(report.agree()).isTrue();
        assertThat(report.redisKeys()).isPositive();
    }

    /**
     * The calls of one run: start and end nano times of each, with the moments the fault began
     * and ended. Figures are over the calls that overlapped the fault, which the calls before
     * and after would otherwise drown.
     */
    private record Outage(String label, long[][] calls, List<String> failures, long injectedAt, long restoredAt) {

        long[] latenciesDuringFault() {
            return Arrays.stream(this.calls)
                .filter((call) -> call[1] >= this.injectedAt && call[0] <= this.restoredAt)
                .mapToLong((call) -> call[1] - call[0])
                .sorted()
                .toArray();
        }

        Duration percentile(int percentile) {
            long[] latencies = latenciesDuringFault();
            int index = Math.max(0, (int) Math.ceil(latencies.length * percentile / 100.0) - 1);
            return Duration.ofNanos(latencies[index]);
        }

        Duration max() {
            long[] latencies = latenciesDuringFault();
            return Duration.ofNanos(latencies[latencies.length - 1]);
        }

        Duration firstStartAfterRestore() {
            long first = Arrays.stream(this.calls).mapToLong((call) -> call[0]).filter((begin) -> begin >= this.restoredAt)
                .min()
                .orElse(Long.MAX_VALUE);
            return (first == Long.MAX_VALUE) ? Duration.ofDays(1) : Duration.ofNanos(first - this.restoredAt);
        }

        String summary() {
            return String.format("%s: %,d calls (%,d during the fault), %d failed; during the fault p50 %.3f s, "
                    + "p99 %.3f s, max %.3f s; first call after the secondary came back started %.3f s later",
                    this.label, this.calls.length, latenciesDuringFault().length, this.failures.size(),
                    seconds(percentile(50)), seconds(percentile(99)), seconds(max()),
                    seconds(firstStartAfterRestore()));
        }

        private static double seconds(Duration duration) {
            return duration.toNanos() / 1e9;
        }

    }

}
