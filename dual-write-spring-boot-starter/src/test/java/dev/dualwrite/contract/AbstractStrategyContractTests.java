package dev.dualwrite.contract;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import dev.dualwrite.core.metrics.DualWriteMetrics;
import dev.dualwrite.core.repair.OldStoreRepairLog;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RoutingOldStoreRepairLog;
import dev.dualwrite.core.repair.RepairRecord;
import dev.dualwrite.core.routing.PrimaryWriteException;
import dev.dualwrite.core.routing.UnroutableMethodException;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.testsupport.TcpProxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.repository.CrudRepository;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The strategy table of DESIGN.md as executable rows, written once and run for every old store
 * (each Redis shape, a JDBC table): for each strategy and each repository operation, which
 * store is written, what is read, and what happens when the primary or the secondary store
 * really stops answering (through a TCP proxy in front of the real server). "Redis" in a
 * strategy's or store's name means the old store, whichever it is.
 * <p>
 * Stores are always inspected directly, never through the repository under test. A
 * subclass supplies one old store: its entity and repository, direct access to what the old
 * store holds ({@link #putInOld}, {@link #nameInOld}), the proxy in front of it
 * ({@link #oldStoreProxy}) and how to reach and empty it; the repair log kept in it is the
 * application's ({@link #oldStoreRepairLog}).
 * PostgreSQL, the new store, is always the schema of {@link #stores()}.
 * @param <T> the entity type of the shape
 */
public abstract class AbstractStrategyContractTests<T> {

    @Autowired
    protected StrategySource strategies;

    @Autowired
    private PostgresRepairLog postgresRepairLog;

    // The application's old-store log: each repository's records live in its own old store.
    @Autowired
    private RoutingOldStoreRepairLog oldStoreRepairLogs;

    /** The new store's schema behind its proxy (and the application's Redis). */
    protected abstract ContractStores stores();

    /** The repository name (its table). */
    protected abstract String repositoryName();

    /** The application's repository under test. */
    protected abstract CrudRepository<T, String> repository();

    protected abstract T item(String id, String name, String category);

    protected abstract String nameOf(T item);

    protected abstract List<T> findByCategory(String category);

    protected abstract long deleteByCategory(String category);

    /** Reads a name nobody declared on the new store's side: unroutable once reads move to PostgreSQL. */
    protected abstract List<T> findByName(String name);

    /** Write an item to the old store directly, in the store's own format. */
    protected abstract void putInOld(String id, String name, String category);

    /** Read an item's name from the old store directly. */
    protected abstract Optional<String> nameInOld(String id);

    /** The proxy in front of the old store, through which the application reaches it. */
    protected abstract TcpProxy oldStoreProxy();

    /**
     * The repair log kept in the old store (records of keys whose PostgreSQL copy may be
     * behind, and write intents): the one the application keeps the repository's records in.
     */
    protected OldStoreRepairLog oldStoreRepairLog() {
        return this.oldStoreRepairLogs.logOf(repositoryName());
    }

    /** Count the write intents open in the old store's repair log for the repository, directly. */
    protected abstract long openIntentsInOld();

    /** Fail unless the application reaches the old store through its proxy. */
    protected abstract void assertOldStoreAnswers();

    /** Empty the old store's entities, repair records and write intents of the repository. */
    protected abstract void clearOldStore();

    @Autowired
    private DataSource dataSource;

    @Autowired
    private MeterRegistry meters;

    @BeforeEach
    void startClean() {
        restoreProxies();
        // A test that broke a store leaves broken pooled connections behind; wait until the
        // application reaches both stores again, so no test starts in a previous one's outage.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            new JdbcTemplate(this.dataSource).queryForObject("select 1", Integer.class);
            assertOldStoreAnswers();
        });
        stores().clearPostgres(List.of(repositoryName()));
        clearOldStore();
    }

    @AfterEach
    void restoreProxies() {
        stores().restore();
        oldStoreProxy().restore();
    }

    // --- writes: which stores --------------------------------------------------------

    @ParameterizedTest
    @EnumSource(WriteStrategy.class)
    void saveWritesExactlyTheStoresOfTheStrategy(WriteStrategy strategy) {
        use(strategy);
        T saved = repository().save(item("a", "Alpha", "x"));
        assertThat(nameOf(saved)).isEqualTo("Alpha");
        assertStores("a", strategy, "Alpha");
    }

    @ParameterizedTest
    @EnumSource(WriteStrategy.class)
    void saveUpsertsWhetherOrNotTheRowExists(WriteStrategy strategy) {
        putInOld("a", "Old", "x");
        putInPostgres("a", "Old", "x");
        putInOld("b", "OnlyInOld", "x");
        putInPostgres("c", "OnlyInPostgres", "x");
        use(strategy);
        repository().save(item("a", "New", "x"));
        repository().save(item("b", "NewB", "x"));
        repository().save(item("c", "NewC", "x"));
        assertStores("a", strategy, "New", "Old");
        assertStores("b", strategy, "NewB", "OnlyInOld", null);
        assertStores("c", strategy, "NewC", null, "OnlyInPostgres");
    }

    @ParameterizedTest
    @EnumSource(WriteStrategy.class)
    void saveAllWritesEveryEntity(WriteStrategy strategy) {
        use(strategy);
        List<T> saved = toList(repository().saveAll(List.of(item("a", "A", "x"), item("b", "B", "y"))));
        assertThat(saved).extracting(this::nameOf).containsExactly("A", "B");
        assertStores("a", strategy, "A");
        assertStores("b", strategy, "B");
    }

    @ParameterizedTest
    @EnumSource(WriteStrategy.class)
    void deleteByIdRemovesTheKeyFromTheStoresOfTheStrategyOnly(WriteStrategy strategy) {
        seedBoth("a", "A", "x");
        use(strategy);
        repository().deleteById("a");
        assertDeleted("a", strategy);
    }

    @ParameterizedTest
    @EnumSource(WriteStrategy.class)
    void deleteOfAnEntityRemovesItsKey(WriteStrategy strategy) {
        seedBoth("a", "A", "x");
        use(strategy);
        repository().delete(item("a", "A", "x"));
        assertDeleted("a", strategy);
    }

    @ParameterizedTest
    @EnumSource(WriteStrategy.class)
    void deleteAllByIdAndDeleteAllOfEntitiesRemoveEveryKey(WriteStrategy strategy) {
        seedBoth("a", "A", "x");
        seedBoth("b", "B", "x");
        seedBoth("c", "C", "x");
        use(strategy);
        repository().deleteAllById(List.of("a", "missing"));
        repository().deleteAll(List.of(item("b", "B", "x")));
        assertDeleted("a", strategy);
        assertDeleted("b", strategy);
        assertStores("c", strategy, "C", "C");
    }

    @ParameterizedTest
    @EnumSource(WriteStrategy.class)
    void deleteAllRemovesKeysOfEitherStore(WriteStrategy strategy) {
        seedBoth("a", "A", "x");
        putInOld("r", "R", "x");
        putInPostgres("p", "P", "x");
        use(strategy);
        repository().deleteAll();
        assertDeleted("a", strategy);
        assertThat(nameInOld("r").isPresent()).isEqualTo(!writesOld(strategy));
        assertThat(nameInPostgres("p").isPresent()).isEqualTo(!writesPostgres(strategy));
    }

    @ParameterizedTest
    @EnumSource(WriteStrategy.class)
    void deleteOfAMissingKeyIsFine(WriteStrategy strategy) {
        use(strategy);
        repository().deleteById("missing");
        assertThat(nameInOld("missing")).isEmpty();
        assertThat(nameInPostgres("missing")).isEmpty();
        assertThat(oldStoreRepairLog().pending(repositoryName(), 100)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(WriteStrategy.class)
    void derivedDeleteFollowsTheWritePath(WriteStrategy strategy) {
        seedBoth("a", "A", "gone");
        seedBoth("b", "B", "gone");
        seedBoth("c", "C", "kept");
        use(strategy);
        assertThat(deleteByCategory("gone")).isEqualTo(2);
        assertDeleted("a", strategy);
        assertDeleted("b", strategy);
        assertStores("c", strategy, "C", "C");
    }

    // --- reads: which store --------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(WriteStrategy.class)
    void readsComeFromTheReadStoreOfTheStrategy(WriteStrategy strategy) {
        putInOld("a", "FromOld", "x");
        putInPostgres("a", "FromPostgres", "x");
        putInOld("r", "OnlyOld", "x");
        putInPostgres("p", "OnlyPostgres", "x");
        use(strategy);
        boolean fromOld = strategy.readStore() == Store.REDIS;
        String expected = fromOld ? "FromOld" : "FromPostgres";
        assertThat(repository().findById("a")).map(this::nameOf).contains(expected);
        assertThat(repository().existsById("r")).isEqualTo(fromOld);
        assertThat(repository().existsById("p")).isEqualTo(!fromOld);
        assertThat(repository().count()).isEqualTo(2);
        assertThat(toList(repository().findAll())).extracting(this::nameOf)
            .containsExactlyInAnyOrder(expected, fromOld ? "OnlyOld" : "OnlyPostgres");
        assertThat(toList(repository().findAllById(List.of("a", "p", "r")))).extracting(this::nameOf)
            .containsExactlyInAnyOrder(expected, fromOld ? "OnlyOld" : "OnlyPostgres");
        assertThat(findByCategory("x")).extracting(this::nameOf)
            .containsExactlyInAnyOrder(expected, fromOld ? "OnlyOld" : "OnlyPostgres");
    }

    @Test
    void aReadWithoutPostgresCounterpartFailsOnceReadsMoveToPostgres() {
        seedBoth("a", "A", "x");
        use(WriteStrategy.DUAL);
        assertThat(findByName("A")).hasSize(1);
        use(WriteStrategy.POSTGRES_PRIMARY);
        assertThatThrownBy(() -> findByName("A")).isInstanceOf(UnroutableMethodException.class)
            .hasMessageContaining("'" + repositoryName() + "'")
            .hasMessageContaining("findByName(String)")
            .hasMessageContaining("declare it there");
    }

    // --- failures: primary fails the call, secondary is recorded for repair ---------------

    @ParameterizedTest
    @EnumSource(WriteStrategy.class)
    void aDeadPrimaryFailsTheCallAndLeavesTheOtherStoreUntouched(WriteStrategy strategy) {
        seedBoth("a", "Before", "x");
        use(strategy);
        primaryProxy(strategy).refuseConnections();
        if (strategy == WriteStrategy.REDIS_PRIMARY) {
            // Untouched by the library: the caller sees the old store's own exception, as before.
            assertThatThrownBy(() -> repository().save(item("a", "After", "x"))).isNotInstanceOf(PrimaryWriteException.class);
        }
        else {
            assertThatThrownBy(() -> repository().save(item("a", "After", "x"))).isInstanceOf(PrimaryWriteException.class)
                .hasMessageContaining("'" + repositoryName() + "'")
                .hasMessageContaining("'a'")
                .hasMessageContaining(strategy.primary().name());
            assertThatThrownBy(() -> repository().deleteById("a")).isInstanceOf(PrimaryWriteException.class);
        }
        restoreProxies();
        assertThat(nameInOld("a")).contains("Before");
        assertThat(nameInPostgres("a")).contains("Before");
    }

    @ParameterizedTest
    @EnumSource(value = WriteStrategy.class, names = { "DUAL", "POSTGRES_PRIMARY" })
    void aDeadSecondaryNeverFailsTheCallAndRecordsTheKeyForRepair(WriteStrategy strategy) {
        seedBoth("d", "ToDelete", "x");
        use(strategy);
        secondaryProxy(strategy).refuseConnections();
        T saved = repository().save(item("a", "Alpha", "x"));
        repository().deleteById("d");
        assertThat(nameOf(saved)).isEqualTo("Alpha");
        restoreProxies();
        assertThat(nameIn(strategy.primary(), "a")).contains("Alpha");
        assertThat(nameIn(strategy.secondary(), "a")).isEmpty();
        assertThat(nameIn(strategy.primary(), "d")).isEmpty();
        assertThat(nameIn(strategy.secondary(), "d")).contains("ToDelete");
        assertThat(pendingRepairs(strategy)).extracting(RepairRecord::key).containsExactlyInAnyOrder("a", "d");
        assertThat(pendingRepairs(strategy)).allSatisfy((record) -> {
            assertThat(record.target()).isEqualTo(strategy.secondary());
            assertThat(record.attempts()).isGreaterThanOrEqualTo(1);
            assertThat(record.reason()).doesNotContain("Alpha");
        });
    }

    @ParameterizedTest
    @EnumSource(value = WriteStrategy.class, names = { "DUAL", "POSTGRES_PRIMARY" })
    void aSlowSecondaryIsCutOffByTheTimeLimitAndRecordedForRepair(WriteStrategy strategy) {
        use(strategy);
        repository().save(item("warm", "Warm", "x"));
        secondaryProxy(strategy).delay(Duration.ofSeconds(3));
        repository().save(item("a", "Alpha", "x"));
        assertThat(nameIn(strategy.primary(), "a")).contains("Alpha");
        assertThat(pendingRepairs(strategy)).filteredOn((record) -> record.key().equals("a"))
            .singleElement()
            .satisfies((record) -> assertThat(record.reason()).contains("timed out"));
        // The cut-off write is ended at the time limit; once the store is fast again the
        // reconciler copies the primary's state of the key. Let it land before the next test.
        secondaryProxy(strategy).delay(Duration.ZERO);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(nameIn(strategy.secondary(), "a")).contains("Alpha"));
    }

    @ParameterizedTest
    @EnumSource(value = WriteStrategy.class, names = { "DUAL", "POSTGRES_PRIMARY" })
    void aSuccessfulSecondaryWriteLeavesNoRepairRecord(WriteStrategy strategy) {
        use(strategy);
        repository().save(item("a", "Alpha", "x"));
        repository().deleteById("a");
        repository().save(item("b", "Beta", "x"));
        assertThat(pendingRepairs(strategy)).isEmpty();
        assertStores("b", strategy, "Beta");
    }

    @Test
    void aDualWriteOvertakenByALaterChangeInTheOldStoreLeavesPostgresAtTheLaterValueBeforeItsIntentCloses()
            throws Exception {
        use(WriteStrategy.DUAL);
        // One copy for a save nobody overtook (a copy of the written state is confirmed, not
        // made again).
        double copiesBefore = postgresWrites();
        repository().save(item("b", "Plain", "x"));
        await().atMost(Duration.ofSeconds(10)).until(() -> openIntents() == 0);
        assertThat(postgresWrites() - copiesBefore).as("copies of one save nobody overtook").isEqualTo(1);
        assertThat(nameInPostgres("b")).contains("Plain");
        String lockName = repositoryName() + ":a";
        double copiesBeforeA = postgresWrites();
        ExecutorService caller = Executors.newSingleThreadExecutor();
        // The test holds the key's lock, so the save's copy waits for it after the save wrote
        // the old store; meanwhile the key changes there, as by a later write whose copy has not
        // run.
        try (Connection connection = stores().postgres().getDataSource().getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement lock = connection
                .prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 0))")) {
                lock.setString(1, lockName);
                lock.execute();
            }
            Future<T> save = caller.submit(() -> repository().save(item("a", "Saved", "x")));
            await().atMost(Duration.ofSeconds(10)).until(() -> waitingForLock(lockName));
            putInOld("a", "Later", "x");
            connection.commit();
            assertThat(nameOf(save.get(30, TimeUnit.SECONDS))).isEqualTo("Saved");
        }
        finally {
            caller.shutdownNow();
        }
        // A copy that re-reads the old store under the lock copied the later value: one copy. A copy of
        // the written state wrote "Saved"; confirming it as its intent closed found the later
        // value and copied the key again: two. Either way at once, without a failed copy or a
        // repair record (the reconciler, which waits for records older than its min-age, is not
        // what fixed it).
        await().atMost(Duration.ofSeconds(10)).until(() -> openIntents() == 0);
        assertThat(nameInPostgres("a")).contains("Later");
        assertThat(postgresWrites() - copiesBeforeA).as("copies of the overtaken save")
            .isEqualTo(copiesTheWrittenStateInDual() ? 2 : 1);
        assertThat(oldStoreRepairLog().pendingCount(repositoryName())).isZero();
        assertThat(secondaryFailures()).isZero();
    }

    /**
     * Whether the shape's {@code DUAL} copies write the state the call left in the old store and
     * are confirmed after the call (Redis JSON repositories), rather than re-reading the old
     * store under the lock.
     */
    protected boolean copiesTheWrittenStateInDual() {
        return false;
    }

    // --- helpers ----------------------------------------------------------------------------

    private long openIntents() {
        return openIntentsInOld();
    }

    private double secondaryFailures() {
        return this.meters.find(DualWriteMetrics.SECONDARY_FAILURES)
            .tags("repository", repositoryName())
            .counters()
            .stream()
            .mapToDouble(io.micrometer.core.instrument.Counter::count)
            .sum();
    }

    // Successful writes to PostgreSQL, copies included, as the write meters count them.
    private double postgresWrites() {
        return this.meters.find(DualWriteMetrics.WRITES)
            .tags("repository", repositoryName(), "store", Store.POSTGRES.tagValue(), "outcome", "success")
            .timers()
            .stream()
            .mapToDouble(Timer::count)
            .sum();
    }

    private boolean waitingForLock(String lockName) {
        Long waiting = stores().postgres()
            .queryForObject("select count(*) from pg_locks where locktype = 'advisory' and not granted "
                    + "and ((classid::bigint << 32) | objid::bigint) = hashtextextended(?, 0)", Long.class, lockName);
        return waiting != null && waiting > 0;
    }

    protected void use(WriteStrategy strategy) {
        this.strategies.change(repositoryName(), strategy, true);
    }

    protected List<RepairRecord> pendingRepairs(WriteStrategy strategy) {
        return (strategy.secondary() == Store.POSTGRES) ? oldStoreRepairLog().pending(repositoryName(), 100)
                : this.postgresRepairLog.pending(repositoryName(), 100).stream()
                    .filter((record) -> record.attempts() > 0)
                    .toList();
    }

    protected void seedBoth(String id, String name, String category) {
        putInOld(id, name, category);
        putInPostgres(id, name, category);
    }

    protected void putInPostgres(String id, String name, String category) {
        stores().postgres().update("insert into " + repositoryName() + " (id, name, category, quantity) values (?, ?, ?, 1)",
                id, name, category);
    }

    protected Optional<String> nameInPostgres(String id) {
        return stores().postgres()
            .queryForList("select name from " + repositoryName() + " where id = ?", String.class, id)
            .stream()
            .findFirst();
    }

    protected Optional<String> nameIn(Store store, String id) {
        return (store == Store.REDIS) ? nameInOld(id) : nameInPostgres(id);
    }

    /** The key holds {@code name} in every store the strategy writes, and nothing elsewhere. */
    protected void assertStores(String id, WriteStrategy strategy, String name) {
        assertStores(id, strategy, name, null, null);
    }

    /** Like {@link #assertStores(String, WriteStrategy, String)}, with one old value in both stores. */
    protected void assertStores(String id, WriteStrategy strategy, String name, String before) {
        assertStores(id, strategy, name, before, before);
    }

    protected void assertStores(String id, WriteStrategy strategy, String name, String oldBefore,
            String postgresBefore) {
        assertThat(nameInOld(id)).as("the old store holds key %s in %s", id, strategy)
            .isEqualTo(writesOld(strategy) ? Optional.of(name) : Optional.ofNullable(oldBefore));
        assertThat(nameInPostgres(id)).as("PostgreSQL holds key %s in %s", id, strategy)
            .isEqualTo(writesPostgres(strategy) ? Optional.of(name) : Optional.ofNullable(postgresBefore));
    }

    /** The key is gone from every store the strategy writes and still present elsewhere. */
    protected void assertDeleted(String id, WriteStrategy strategy) {
        assertThat(nameInOld(id).isPresent()).as("the old store still holds %s in %s", id, strategy)
            .isEqualTo(!writesOld(strategy));
        assertThat(nameInPostgres(id).isPresent()).as("PostgreSQL still holds %s in %s", id, strategy)
            .isEqualTo(!writesPostgres(strategy));
    }

    protected static boolean writesOld(WriteStrategy strategy) {
        return strategy != WriteStrategy.POSTGRES_ONLY;
    }

    protected static boolean writesPostgres(WriteStrategy strategy) {
        return strategy != WriteStrategy.REDIS_PRIMARY;
    }

    private TcpProxy primaryProxy(WriteStrategy strategy) {
        return (strategy.primary() == Store.REDIS) ? oldStoreProxy() : stores().postgresProxy();
    }

    private TcpProxy secondaryProxy(WriteStrategy strategy) {
        return (strategy.secondary() == Store.REDIS) ? oldStoreProxy() : stores().postgresProxy();
    }

    protected static <E> List<E> toList(Iterable<E> iterable) {
        return StreamSupport.stream(iterable.spliterator(), false).toList();
    }

}
