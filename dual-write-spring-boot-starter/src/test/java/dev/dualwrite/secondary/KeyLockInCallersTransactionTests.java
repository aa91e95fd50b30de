package dev.dualwrite.secondary;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.routing.WriteCoordinator;
import dev.dualwrite.core.secondary.SecondaryWriteGuard;
import dev.dualwrite.core.store.AbortScope;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.secondary.app.HungItem;
import dev.dualwrite.secondary.app.HungSecondaryApplication;
import dev.dualwrite.secondary.app.redis.HungItemRepository;
import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Key-locked work that the time limit ends, against the real PostgreSQL and Redis: a key's
 * advisory lock held by another connection makes the work wait on a PostgreSQL read, which
 * only an abort of its connection ends. Work in a transaction the library started is ended;
 * work that joined a caller's transaction never is, because that would destroy the caller's
 * whole transaction: it waits for the lock, and the caller's transaction commits.
 */
@DirtiesContext
@SpringBootTest(classes = HungSecondaryApplication.class,
        properties = { "spring.flyway.locations=classpath:db/hung", "dual-write.repair.enabled=false",
                "dual-write.secondary.timeout=1s",
                "dual-write.secondary.circuit-breaker.minimum-number-of-calls=100000" })
class KeyLockInCallersTransactionTests {

    private static final String REPOSITORY = "hung_items";

    // Every Redis key of the run under one prefix of its own (entities and repair log alike),
    // which the stores delete when they start and close: a second build on the machine, running
    // this class or its sibling on the same entity, touches none of them.
    private static final String KEYS = TestKeyPrefix.create(KeyLockInCallersTransactionTests.class).prefix();

    private static final ContractStores stores = ContractStores.start(KeyLockInCallersTransactionTests.class, KEYS);

    @Autowired
    private HungItemRepository repository;

    @Autowired
    private StrategySource strategies;

    @Autowired
    private DualRepositoryRegistry registry;

    @Autowired
    private WriteCoordinator writes;

    @Autowired
    private SecondaryWriteGuard guard;

    @Autowired
    private PlatformTransactionManager transactionManager;

    @Autowired
    private DataSource dataSource;

    private Connection blocker;

    // Direct addresses, and no socketTimeout: only an abort can end a wait for a lock.
    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        PostgresServer postgres = TestServers.postgres();
        registry.add("spring.datasource.url", () -> postgres.jdbcUrl(stores.schema()));
        registry.add("spring.datasource.username", postgres::username);
        registry.add("spring.datasource.password", postgres::password);
        registry.add("spring.flyway.schemas", stores::schema);
        registry.add(HungItem.PREFIX_PROPERTY, () -> KEYS);
        registry.add("dual-write.repair.redis-key-prefix", () -> KEYS + "dualwrite:");
        registry.add("spring.data.redis.host", () -> TestServers.redis().host());
        registry.add("spring.data.redis.port", () -> TestServers.redis().port());
    }

    @AfterAll
    static void cleanUp() {
        stores.clearPostgres(List.of(REPOSITORY));
        stores.close();
    }

    @BeforeEach
    void openBlocker() throws SQLException {
        this.strategies.change(REPOSITORY, WriteStrategy.DUAL, true);
        this.blocker = TestServers.postgres().connect();
        this.blocker.setAutoCommit(false);
    }

    @AfterEach
    void closeBlocker() throws SQLException {
        this.blocker.close();
    }

    @Test
    void keyLockedWorkInATransactionStartedHereIsAbortedWhileItWaitsForTheLock() throws Exception {
        String key = uniqueKey();
        holdLockOf(key);
        AbortScope scope = AbortScope.create();
        CompletableFuture<String> work = CompletableFuture
            .supplyAsync(() -> inScope(scope, () -> pair().postgres().inKeyLock(key, () -> "locked")));
        awaitWaiterFor(key);

        scope.abort();

        // The blocker still holds the lock: only the abort of the waiting connection ends it.
        await().atMost(Duration.ofSeconds(10)).until(work::isDone);
        assertThat(work).isCompletedExceptionally();
        this.blocker.rollback();
    }

    @Test
    void keyLockedWorkJoiningTheCallersTransactionIsNotAbortedAndTheCallersTransactionCommits() throws Exception {
        String key = uniqueKey();
        String marker = uniqueKey();
        holdLockOf(key);
        AbortScope scope = AbortScope.create();
        CompletableFuture<String> caller = CompletableFuture.supplyAsync(() -> inCallersTransaction(marker,
                () -> inScope(scope, () -> pair().postgres().inKeyLock(key, () -> "locked"))));
        awaitWaiterFor(key);

        scope.abort();
        // Had the abort reached the caller's connection, its wait would fail now; released, the
        // wait must end with the lock taken and the caller's transaction committed.
        this.blocker.rollback();

        assertThat(caller.get(10, TimeUnit.SECONDS)).isEqualTo("locked");
        assertThat(markerCommitted(marker)).isTrue();
    }

    @Test
    void repairOutsideATransactionIsEndedAtTheTimeLimitWhileTheLockIsHeld() throws Exception {
        String id = uniqueKey();
        this.repository.save(new HungItem(id, "saved", 1));
        DualRepository<Object, Object, Object> pair = pair();
        holdLockOf(pair.keyOf(id));

        assertThatExceptionOfType(QueryTimeoutException.class)
            .isThrownBy(() -> this.writes.repairKey(pair, WriteStrategy.DUAL, id));
        this.blocker.rollback();
    }

    @Test
    void repairInsideTheCallersTransactionWaitsPastTheTimeLimitInsteadOfAbortingTheCallersConnection()
            throws Exception {
        String id = uniqueKey();
        String marker = uniqueKey();
        this.repository.save(new HungItem(id, "saved", 1));
        DualRepository<Object, Object, Object> pair = pair();
        holdLockOf(pair.keyOf(id));
        long start = System.nanoTime();
        CompletableFuture<WriteCoordinator.KeyCopy> caller = CompletableFuture.supplyAsync(() -> inCallersTransaction(
                marker, () -> this.writes.repairKey(pair, WriteStrategy.DUAL, id)));
        awaitWaiterFor(pair.keyOf(id));
        // Still waiting for the key's lock all through the time limit plus the abort grace: an
        // ended repair would have failed by then (checked throughout, so it fails at once).
        Duration hold = this.guard.timeLimit().plus(SecondaryWriteGuard.ABORT_GRACE).plusSeconds(1);
        await().during(hold).atMost(hold.plusSeconds(5)).pollInterval(Duration.ofMillis(100))
            .until(() -> !caller.isDone());
        this.blocker.rollback();

        WriteCoordinator.KeyCopy copy = caller.get(10, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(copy.source()).isEqualTo(Store.REDIS);
        assertThat(copy.present()).isTrue();
        assertThat(markerCommitted(marker)).isTrue();
        System.out.printf("repair in the caller's transaction, lock held %.3f s (limit %s): finished after %.3f s, "
                + "the caller's transaction committed%n", hold.toNanos() / 1e9, this.guard.timeLimit(),
                took.toNanos() / 1e9);
    }

    // The caller's own transaction: it writes a row first, so a commit can be seen afterwards,
    // and checks that no interrupt was left on its thread.
    private <T> T inCallersTransaction(String marker, Supplier<T> work) {
        return new TransactionTemplate(this.transactionManager).execute((status) -> {
            new JdbcTemplate(this.dataSource).update("insert into hung_items (id, name, quantity) values (?, ?, ?)",
                    marker, "caller's row", 0);
            T result = work.get();
            assertThat(Thread.currentThread().isInterrupted()).as("caller's thread interrupted").isFalse();
            return result;
        });
    }

    private static <T> T inScope(AbortScope scope, Supplier<T> work) {
        Object[] result = new Object[1];
        scope.run(() -> result[0] = work.get());
        @SuppressWarnings("unchecked")
        T typed = (T) result[0];
        return typed;
    }

    private boolean markerCommitted(String marker) {
        return stores.postgres()
            .queryForObject("select count(*) from hung_items where id = ?", Integer.class, marker) == 1;
    }

    private DualRepository<Object, Object, Object> pair() {
        return this.registry.find(HungItemRepository.class).orElseThrow();
    }

    private void holdLockOf(String key) throws SQLException {
        try (PreparedStatement lock = this.blocker
            .prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            lock.setString(1, pair().postgres().lockName(key));
            lock.execute();
        }
    }

    private void awaitWaiterFor(String key) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> waitersFor(key) == 1);
    }

    // Sessions waiting for the key's advisory lock (a bigint lock: classid holds its high
    // 32 bits, objid its low ones).
    private int waitersFor(String key) {
        return stores.postgres()
            .queryForObject("select count(*) from pg_locks where locktype = 'advisory' and not granted "
                    + "and objsubid = 1 and database = (select oid from pg_database where datname = current_database()) "
                    + "and ((classid::bigint << 32) | objid::bigint) = hashtextextended(?, 0)", Integer.class,
                    pair().postgres().lockName(key));
    }

    private static String uniqueKey() {
        return "txn-" + UUID.randomUUID();
    }

}
