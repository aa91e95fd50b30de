package dev.dualwrite.expiry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.dualwrite.autoconfigure.expiry.ExpirySweepLifecycle;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.backfill.BackfillJobReport;
import dev.dualwrite.core.backfill.BackfillMode;
import dev.dualwrite.core.backfill.BackfillOptions;
import dev.dualwrite.core.backfill.BackfillState;
import dev.dualwrite.core.control.ControlPlane;
import dev.dualwrite.core.control.StageMove;
import dev.dualwrite.core.expiry.ExpirySweeper;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.routing.ShadowReads;
import dev.dualwrite.core.routing.WriteCoordinator;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.DifferenceKind;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyOptions;
import dev.dualwrite.expiry.app.ExpiryApplication;
import dev.dualwrite.expiry.app.Session;
import dev.dualwrite.expiry.app.Tally;
import dev.dualwrite.expiry.app.Visit;
import dev.dualwrite.expiry.app.hash.VisitRepository;
import dev.dualwrite.expiry.app.json.SessionRepository;
import dev.dualwrite.expiry.app.json.TallyRepository;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.dualwrite.expiry.app.ExpiryApplication.SESSIONS;
import static dev.dualwrite.expiry.app.ExpiryApplication.VISITS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Keys that expire, against the real servers, through the application's own repositories:
 * the expiry goes with the value in both directions (DUAL: Redis PTTL into the column;
 * POSTGRES_PRIMARY: the column into PEXPIREAT), for JSON strings (property named in the
 * configuration) and {@code @RedisHash} entities (property marked {@code @ExpiresAt});
 * expired rows are invisible to reads at once and deleted by the sweep (here by hand, and on
 * its schedule in {@code theBackgroundSweepDeletesExpiredRowsInSmallBatches}), which skips
 * rows live transactions hold, one repository at a time across instances, and repositories
 * at REDIS_PRIMARY; the backfill, its catch-up and the verifier carry and compare expiries.
 */
@DirtiesContext
@SpringBootTest(classes = ExpiryApplication.class,
        properties = { "spring.flyway.locations=classpath:db/expiry", "dual-write.repair.enabled=false",
                "dual-write.strategy=DUAL", "dual-write.repositories.sessions.expiry.property=expiresAt",
                "dual-write.repositories.expiry_tallies.shadow-read-percent=100",
                // Swept by hand here, so expired rows stay until a test sweeps.
                "dual-write.expiry.sweep.interval=1h" })
class KeyExpiryTests {

    private static final String TALLIES = "expiry_tallies";

    private static final List<String> TABLES = List.of("expiry_sessions", "expiry_visits", TALLIES);

    // The column holds the instant computed from a PTTL read a moment after the save.
    private static final Duration TOLERANCE = Duration.ofSeconds(2);

    private static final ContractStores stores = ContractStores.start(KeyExpiryTests.class, "dwtest:expiry:");

    @Autowired
    private SessionRepository sessions;

    @Autowired
    private VisitRepository visits;

    @Autowired
    private ControlPlane controlPlane;

    @Autowired
    private ExpirySweepLifecycle sweep;

    @Autowired
    private DataSource dataSource;

    @Autowired
    private DualRepositoryRegistry registry;

    @Autowired
    private Backfill backfill;

    @Autowired
    private Verifier verifier;

    @Autowired
    private WriteCoordinator coordinator;

    @Autowired
    private TallyRepository tallies;

    @Autowired
    private ShadowReads shadowReads;

    @Autowired
    private MeterRegistry meters;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        stores.register(registry);
    }

    @AfterEach
    void clear() {
        stores.clear(TABLES, List.of(SESSIONS, VISITS, TALLIES));
    }

    @AfterAll
    static void close() {
        stores.close();
    }

    @Test
    void dualWriteCarriesTheJsonKeysExpiryIntoTheColumnAndKeepsItOnUpdate() {
        stage(SESSIONS, WriteStrategy.DUAL);
        Instant before = Instant.now();

        this.sessions.save(new Session("s1", "ann", 60_000L));

        Instant expiresAt = sessionExpiry("s1");
        assertThat(expiresAt).isBetween(before.plusSeconds(60).minus(TOLERANCE), Instant.now().plusSeconds(60));
        // No time to live on the entity: Redis keeps the key's expiry (KEEPTTL), and so does the row.
        this.sessions.save(new Session("s1", "bob", null));
        assertThat(stores.redis().getExpire(Session.PREFIX + "s1", TimeUnit.SECONDS)).isBetween(1L, 60L);
        assertThat(sessionExpiry("s1")).isCloseTo(expiresAt, within(TOLERANCE));
        assertThat(stores.postgres().queryForObject("select owner from expiry_sessions where id = 's1'", String.class))
            .isEqualTo("bob");
        // Zero removes the expiry in Redis, and the column follows.
        this.sessions.save(new Session("s1", "cy", 0L));
        assertThat(sessionExpiry("s1")).isNull();
    }

    @Test
    void dualWriteCarriesTheTimeToLiveOfAHashIntoTheColumn() {
        stage(VISITS, WriteStrategy.DUAL);
        Instant before = Instant.now();

        this.visits.save(new Visit("v1", "/home", 60L));
        this.visits.save(new Visit("v2", "/about", null));

        assertThat(visitExpiry("v1")).isBetween(before.plusSeconds(60).minus(TOLERANCE), Instant.now().plusSeconds(60));
        assertThat(visitExpiry("v2")).isNull();
        // Read from Redis in DUAL: Spring Data Redis reads the time left back into @TimeToLive.
        assertThat(this.visits.findById("v1")).get().extracting(Visit::ttl).satisfies(
                (ttl) -> assertThat(ttl).isBetween(1L, 60L));
    }

    @Test
    void aKeyThatExpiresInRedisInDualDisappearsFromReadsOfBothStores() {
        stage(SESSIONS, WriteStrategy.DUAL);
        this.sessions.save(new Session("short", "ann", 1500L));
        assertThat(sessionExpiry("short")).isNotNull();

        await().atMost(Duration.ofSeconds(5)).until(() -> !stores.redis().hasKey(Session.PREFIX + "short"));
        // The row is still in the table (no sweep yet), but a read from PostgreSQL no longer sees it.
        assertThat(rows("expiry_sessions")).isOne();
        stage(SESSIONS, WriteStrategy.POSTGRES_PRIMARY);
        assertThat(this.sessions.findById("short")).isEmpty();
    }

    @Test
    void postgresPrimaryGivesTheJsonKeyTheRowsExpiryAndKeepsItOnUpdate() {
        stage(SESSIONS, WriteStrategy.POSTGRES_PRIMARY);
        Instant before = Instant.now();

        this.sessions.save(new Session("p1", "ann", 60_000L));

        Instant expiresAt = sessionExpiry("p1");
        assertThat(expiresAt).isBetween(before.plusSeconds(60), Instant.now().plusSeconds(60));
        assertThat(stores.redis().getExpire(Session.PREFIX + "p1", TimeUnit.MILLISECONDS)).isBetween(1L, 60_000L);
        // The application saves again without a time to live: both stores keep the expiry.
        this.sessions.save(new Session("p1", "bob", null));
        assertThat(sessionExpiry("p1")).isEqualTo(expiresAt);
        assertThat(stores.redis().getExpire(Session.PREFIX + "p1", TimeUnit.MILLISECONDS)).isBetween(1L, 60_000L);
        assertThat(stores.redis().opsForValue().get(Session.PREFIX + "p1")).contains("bob");
        // Read from PostgreSQL, the entity's @TimeToLive holds the time left, as a read from Redis would.
        assertThat(this.sessions.findById("p1")).get().extracting(Session::ttl).satisfies(
                (ttl) -> assertThat(ttl).isBetween(1L, 60_000L));
    }

    @Test
    void aShortExpiryWrittenWithPostgresAsPrimaryEndsInBothStores() {
        stage(SESSIONS, WriteStrategy.POSTGRES_PRIMARY);

        this.sessions.save(new Session("p3", "ann", 1500L));

        // Redis expires the key by itself; PostgreSQL hides the row from every read at once.
        await().atMost(Duration.ofSeconds(5)).until(() -> this.sessions.findById("p3").isEmpty());
        await().atMost(Duration.ofSeconds(5)).until(() -> !stores.redis().hasKey(Session.PREFIX + "p3"));
        assertThat(rows("expiry_sessions")).isOne();
        assertThat(this.sessions.findAll()).isEmpty();
    }

    @Test
    void postgresPrimaryGivesTheHashKeyTheRowsExpiryAndASaveWithoutTimeToLiveRemovesIt() {
        stage(VISITS, WriteStrategy.POSTGRES_PRIMARY);
        Instant before = Instant.now();

        this.visits.save(new Visit("p2", "/home", 60L));

        assertThat(visitExpiry("p2")).isBetween(before.plusSeconds(60), Instant.now().plusSeconds(60));
        assertThat(stores.redis().getExpire(Visit.KEYSPACE + ":p2", TimeUnit.SECONDS)).isBetween(58L, 60L);
        // The phantom copy expires five minutes after the key, as Spring Data Redis keeps it.
        assertThat(stores.redis().getExpire(Visit.KEYSPACE + ":p2:phantom", TimeUnit.SECONDS)).isBetween(358L, 360L);
        // A @RedisHash save rewrites the hash without expiry when the entity has no time to
        // live; the row and the key agree on that.
        this.visits.save(new Visit("p2", "/home", null));
        assertThat(visitExpiry("p2")).isNull();
        assertThat(stores.redis().getExpire(Visit.KEYSPACE + ":p2", TimeUnit.SECONDS)).isEqualTo(-1L);
        assertThat(stores.redis().hasKey(Visit.KEYSPACE + ":p2:phantom")).isFalse();
    }

    @Test
    void expiredRowsAreInvisibleToEveryReadAndTheSweepDeletesOnlyThem() {
        stage(SESSIONS, WriteStrategy.POSTGRES_PRIMARY);
        insertSession("gone-1", "ann", Instant.now().minusSeconds(5));
        insertSession("gone-2", "ann", Instant.now().minusSeconds(1));
        insertSession("live", "ann", Instant.now().plusSeconds(600));
        insertSession("forever", "ann", null);

        assertThat(this.sessions.findById("gone-1")).isEmpty();
        assertThat(this.sessions.existsById("gone-1")).isFalse();
        assertThat(this.sessions.existsById("live")).isTrue();
        assertThat(this.sessions.findAll()).extracting(Session::id).containsExactlyInAnyOrder("live", "forever");
        assertThat(this.sessions.findAllById(List.of("gone-1", "gone-2", "live")))
            .extracting(Session::id)
            .containsExactly("live");
        assertThat(this.sessions.findByOwner("ann")).extracting(Session::id)
            .containsExactlyInAnyOrder("live", "forever");
        assertThat(this.sessions.count()).isEqualTo(2);
        assertThat(rows("expiry_sessions")).isEqualTo(4);

        assertThat(this.sweep.sweeper().sweep()).containsEntry(SESSIONS, 2L).containsEntry(VISITS, 0L);

        assertThat(stores.postgres().queryForList("select id from expiry_sessions order by id", String.class))
            .containsExactly("forever", "live");
    }

    @Test
    void theSweepSkipsARowALiveTransactionHoldsWithoutWaitingAndSparesItsLaterExpiry() throws Exception {
        stage(SESSIONS, WriteStrategy.DUAL);
        insertSession("rewritten", "ann", Instant.now().minusSeconds(5));
        insertSession("plain", "ann", Instant.now().minusSeconds(5));
        try (Connection writer = this.dataSource.getConnection()) {
            writer.setAutoCommit(false);
            // A writer holds the row with a later expiry, uncommitted: the sweep skips the row
            // (for update skip locked) instead of waiting for, or deadlocking with, the writer.
            try (PreparedStatement update = writer
                .prepareStatement("update expiry_sessions set expires_at = ? where id = 'rewritten'")) {
                update.setTimestamp(1, Timestamp.from(Instant.now().plusSeconds(600)));
                update.executeUpdate();
            }
            // Completes while the writer still holds its row (the bound only keeps a wait from hanging the build).
            assertThat(CompletableFuture.supplyAsync(() -> this.sweep.sweeper().sweep()).get(30, TimeUnit.SECONDS))
                .containsEntry(SESSIONS, 1L);
            assertThat(waitingOnALock()).isZero();
            writer.commit();
        }
        assertThat(sessionExpiry("rewritten")).isAfter(Instant.now());
        assertThat(rows("expiry_sessions")).isEqualTo(1);
    }

    @Test
    void anInstanceSkipsTheSweepOfARepositoryAnotherInstanceIsSweeping() throws Exception {
        stage(SESSIONS, WriteStrategy.DUAL);
        insertSession("old", "ann", Instant.now().minusSeconds(5));
        try (Connection other = this.dataSource.getConnection()) {
            other.setAutoCommit(false);
            // What another instance's sweep of 'sessions' holds for its batch.
            try (PreparedStatement lock = other
                .prepareStatement("select pg_advisory_xact_lock(hashtextextended('dualwrite:expiry-sweep:sessions', 0))")) {
                lock.execute();
            }
            assertThat(this.sweep.sweeper().sweep()).containsEntry(SESSIONS, 0L);
            assertThat(rows("expiry_sessions")).isEqualTo(1);
            other.commit();
        }
        assertThat(this.sweep.sweeper().sweep()).containsEntry(SESSIONS, 1L);
        assertThat(rows("expiry_sessions")).isZero();
    }

    @Test
    void theSweepLeavesAloneARepositoryAtRedisPrimary() {
        insertSession("old", "ann", Instant.now().minusSeconds(5));
        stage(SESSIONS, WriteStrategy.REDIS_PRIMARY);
        try {
            assertThat(this.sweep.sweeper().sweep()).doesNotContainKey(SESSIONS).containsKey(VISITS);
            assertThat(rows("expiry_sessions")).isEqualTo(1);
        }
        finally {
            stage(SESSIONS, WriteStrategy.DUAL);
        }
        assertThat(this.sweep.sweeper().sweep()).containsEntry(SESSIONS, 1L);
    }

    @Test
    void aRepairCarriesTheExpiryInTheDirectionItCopies() {
        DualRepository<Object, Object, Object> pair = this.registry.find(SessionRepository.class).orElseThrow();
        // From PostgreSQL (the primary of POSTGRES_PRIMARY): a live row gives its key its
        // expiry, an expired row deletes its key.
        insertSession("r1", "ann", Instant.now().plusSeconds(600));
        insertSession("r2", "bob", Instant.now().minusSeconds(1));
        stores.redis().opsForValue().set(Session.PREFIX + "r2", "{\"id\":\"r2\",\"owner\":\"bob\"}");

        assertThat(this.coordinator.repairKey(pair, WriteStrategy.POSTGRES_PRIMARY, "r1").present()).isTrue();
        assertThat(this.coordinator.repairKey(pair, WriteStrategy.POSTGRES_PRIMARY, "r2").present()).isFalse();

        assertThat(stores.redis().getExpire(Session.PREFIX + "r1", TimeUnit.SECONDS)).isBetween(590L, 600L);
        assertThat(stores.redis().hasKey(Session.PREFIX + "r2")).isFalse();

        // From Redis (the primary of DUAL): the key's time to live becomes the column.
        stores.redis().opsForValue().set(Session.PREFIX + "r3", "{\"id\":\"r3\",\"owner\":\"cy\"}",
                Duration.ofMinutes(5));
        Instant before = Instant.now();
        assertThat(this.coordinator.repairKey(pair, WriteStrategy.DUAL, "r3").present()).isTrue();
        assertThat(sessionExpiry("r3")).isBetween(before.plus(Duration.ofMinutes(5)).minus(TOLERANCE),
                Instant.now().plus(Duration.ofMinutes(5)));
    }

    @Test
    void aShadowReadOfOneTypeForBothStoresDoesNotCompareTheExpiryTheRedisValueLacks() {
        stage(TALLIES, WriteStrategy.DUAL);
        this.tallies.save(new Tally("today", 1, null));
        stores.redis().expire(Tally.PREFIX + "today", Duration.ofHours(1));
        // Saved again: Redis keeps the key's expiry, the copy carries it into the row, while
        // the JSON (and so the value read from Redis) has none.
        this.tallies.save(new Tally("today", 2, null));
        assertThat(expiry(TALLIES, "today")).isAfter(Instant.now().plus(Duration.ofMinutes(59)));
        double before = shadowReads("match");

        assertThat(this.tallies.findById("today")).contains(new Tally("today", 2, null));

        await().atMost(Duration.ofSeconds(10)).until(() -> shadowReads("match") > before);
        assertThat(this.shadowReads.recentMismatches(TALLIES)).isEmpty();
    }

    private double shadowReads(String outcome) {
        return this.meters.find("dualwrite.shadow.reads")
            .tags("repository", TALLIES, "outcome", outcome)
            .counters()
            .stream()
            .mapToDouble(io.micrometer.core.instrument.Counter::count)
            .sum();
    }

    @Test
    void theBackgroundSweepDeletesExpiredRowsInSmallBatches() {
        insertSession("old-1", "ann", Instant.now().minusSeconds(5));
        insertSession("old-2", "ann", Instant.now().minusSeconds(5));
        insertSession("old-3", "ann", Instant.now().minusSeconds(5));
        insertSession("young", "ann", Instant.now().plusSeconds(600));
        ExpirySweepLifecycle background = new ExpirySweepLifecycle(this.registry, Duration.ofMillis(200), 1,
                this.meters);
        double before = swept();
        background.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> rows("expiry_sessions") == 1);
        }
        finally {
            background.stop();
        }
        assertThat(stores.postgres().queryForList("select id from expiry_sessions", String.class))
            .containsExactly("young");
        assertThat(swept() - before).isEqualTo(3);
    }

    private double swept() {
        return this.meters.get(ExpirySweeper.SWEPT).tag("repository", SESSIONS).counter().count();
    }

    @Test
    void theBackfillCarriesEachKeysExpiryAndSkipsKeysThatExpired() {
        stage(SESSIONS, WriteStrategy.DUAL);
        Instant before = Instant.now();
        stores.redis().opsForValue().set(Session.PREFIX + "b1", "{\"id\":\"b1\",\"owner\":\"ann\"}",
                Duration.ofMinutes(10));
        stores.redis().opsForValue().set(Session.PREFIX + "b2", "{\"id\":\"b2\",\"owner\":\"bob\"}");
        stores.redis().opsForValue().set(Session.PREFIX + "b3", "{\"id\":\"b3\",\"owner\":\"cy\"}",
                Duration.ofMillis(300));
        await().atMost(Duration.ofSeconds(5)).until(() -> !stores.redis().hasKey(Session.PREFIX + "b3"));

        BackfillJobReport report = this.backfill.run(List.of(SESSIONS),
                this.backfill.defaults().withRetries(3, Duration.ofMillis(50)));

        assertThat(report.reports()).singleElement().satisfies((run) -> {
            assertThat(run.state()).isEqualTo(BackfillState.COMPLETED);
            assertThat(run.rowsWritten()).isEqualTo(2);
        });
        assertThat(sessionExpiry("b1")).isBetween(before.plus(Duration.ofMinutes(10)).minus(TOLERANCE),
                Instant.now().plus(Duration.ofMinutes(10)));
        assertThat(sessionExpiry("b2")).isNull();
        assertThat(rows("expiry_sessions")).isEqualTo(2);
    }

    @Test
    void aCatchUpKeepsTheExpiriesOfUnchangedKeysAndCarriesTheExpiryOfAChangedOne() {
        stage(SESSIONS, WriteStrategy.DUAL);
        stores.redis().opsForValue().set(Session.PREFIX + "c1", "{\"id\":\"c1\",\"owner\":\"ann\"}",
                Duration.ofMinutes(10));
        stores.redis().opsForValue().set(Session.PREFIX + "c2", "{\"id\":\"c2\",\"owner\":\"bob\"}",
                Duration.ofMinutes(20));
        stores.redis().opsForValue().set(Session.PREFIX + "c3", "{\"id\":\"c3\",\"owner\":\"cy\"}");
        BackfillOptions options = this.backfill.defaults().withRetries(3, Duration.ofMillis(50));
        assertThat(this.backfill.run(List.of(SESSIONS), options).reports()).singleElement()
            .satisfies((run) -> assertThat(run.rowsWritten()).isEqualTo(3));
        Instant c1 = sessionExpiry("c1");
        Instant c2 = sessionExpiry("c2");

        // Nothing changed: every expiry is recomputed from a later PTTL, a few ms apart from the
        // stored one, which is within the tolerance and so no difference.
        BackfillJobReport unchanged = this.backfill.run(List.of(SESSIONS), options.withMode(BackfillMode.CATCH_UP));
        assertThat(unchanged.reports()).singleElement().satisfies((run) -> {
            assertThat(run.state()).isEqualTo(BackfillState.COMPLETED);
            assertThat(run.rowsRefreshed()).isZero();
            assertThat(run.rowsRemoved()).isZero();
        });
        assertThat(sessionExpiry("c1")).isEqualTo(c1);
        assertThat(sessionExpiry("c2")).isEqualTo(c2);
        assertThat(sessionExpiry("c3")).isNull();

        // c1's value changed behind the application's back (no copy), keeping its expiry: the
        // catch-up rewrites its row from the value re-read under the lock, expiry included.
        stores.redis().execute((org.springframework.data.redis.core.RedisCallback<Object>) (connection) -> connection
            .stringCommands()
            .set((Session.PREFIX + "c1").getBytes(), "{\"id\":\"c1\",\"owner\":\"dee\"}".getBytes(),
                    org.springframework.data.redis.core.types.Expiration.keepTtl(),
                    org.springframework.data.redis.connection.RedisStringCommands.SetOption.upsert()));
        BackfillJobReport changed = this.backfill.run(List.of(SESSIONS), options.withMode(BackfillMode.CATCH_UP));
        assertThat(changed.reports()).singleElement().satisfies((run) -> {
            assertThat(run.state()).isEqualTo(BackfillState.COMPLETED);
            assertThat(run.rowsRefreshed()).isEqualTo(1);
        });
        assertThat(stores.postgres().queryForObject("select owner from expiry_sessions where id = 'c1'", String.class))
            .isEqualTo("dee");
        assertThat(sessionExpiry("c1")).isCloseTo(c1, within(TOLERANCE));
        assertThat(sessionExpiry("c2")).isEqualTo(c2);
        assertThat(sessionExpiry("c3")).isNull();
    }

    @Test
    void theVerifierComparesExpiriesWithinTheToleranceAndAnExpiredRowIsNoDifference() {
        stage(SESSIONS, WriteStrategy.DUAL);
        this.sessions.save(new Session("k1", "ann", 600_000L));
        this.sessions.save(new Session("k2", "bob", null));
        // Expired in PostgreSQL, not yet swept, gone from Redis: absent on both sides.
        insertSession("k3", "cy", Instant.now().minusSeconds(1));
        DualRepository<?, ?, ?> pair = Verifier.find(this.registry::all, SESSIONS);

        assertThat(this.verifier.verify(pair, VerifyOptions.full()).agree()).isTrue();
        assertThat(this.verifier.verify(pair, VerifyOptions.countsOnly()).agree()).isTrue();

        // Within the tolerance (1 s): still equal.
        shiftSessionExpiry("k1", Duration.ofMillis(400));
        assertThat(this.verifier.verify(pair, VerifyOptions.full()).agree()).isTrue();
        // An hour apart: the expiry property differs, and nothing else does.
        shiftSessionExpiry("k1", Duration.ofHours(1));
        VerificationReport report = this.verifier.verify(pair, VerifyOptions.full().withValues(true));
        assertThat(report.differences()).singleElement().satisfies((difference) -> {
            assertThat(difference.key()).isEqualTo("k1");
            assertThat(difference.kind()).isEqualTo(DifferenceKind.CONTENT);
            assertThat(difference.fields()).containsExactly("expiresAt");
        });
    }

    private void shiftSessionExpiry(String id, Duration by) {
        stores.postgres().update("update expiry_sessions set expires_at = expires_at + ? * interval '1 millisecond' "
                + "where id = ?", by.toMillis(), id);
    }

    private long waitingOnALock() {
        Long waiting = stores.postgres()
            .queryForObject("select count(*) from pg_stat_activity where wait_event_type = 'Lock' "
                    + "and query like 'delete from%expiry_sessions%'", Long.class);
        return (waiting != null) ? waiting : 0;
    }

    private void stage(String repository, WriteStrategy strategy) {
        if (this.controlPlane.strategyFor(repository) != strategy) {
            this.controlPlane.move(StageMove.forced(repository, strategy, "test", "expiry test"));
        }
        assertThat(this.controlPlane.strategyFor(repository)).isEqualTo(strategy);
    }

    private void insertSession(String id, String owner, Instant expiresAt) {
        stores.postgres()
            .update("insert into expiry_sessions (id, owner, expires_at) values (?, ?, ?)", id, owner,
                    (expiresAt != null) ? Timestamp.from(expiresAt) : null);
    }

    private static Instant sessionExpiry(String id) {
        return expiry("expiry_sessions", id);
    }

    private static Instant visitExpiry(String id) {
        return expiry("expiry_visits", id);
    }

    private static Instant expiry(String table, String id) {
        Timestamp at = stores.postgres()
            .queryForObject("select expires_at from " + table + " where id = ?", Timestamp.class, id);
        return (at != null) ? at.toInstant() : null;
    }

    private static long rows(String table) {
        Long count = stores.postgres().queryForObject("select count(*) from " + table, Long.class);
        return (count != null) ? count : 0;
    }

    private static org.assertj.core.data.TemporalUnitOffset within(Duration tolerance) {
        return new org.assertj.core.data.TemporalUnitWithinOffset(tolerance.toMillis(),
                java.time.temporal.ChronoUnit.MILLIS);
    }

}
