package dev.dualwrite.core.expiry;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.util.Assert;

/**
 * The expiry semantics of one paired repository, called from the places that copy a key
 * between the stores and read rows from PostgreSQL.
 * <p>
 * Without an {@link ExpiryColumn} ({@link #none()}), nothing is carried: a Redis key that
 * expires becomes a permanent row, and a row copied to Redis gets the expiry its save gives
 * it. With one:
 * <ul>
 * <li>a copy from Redis sets the column from the key's remaining time to live ({@code PTTL};
 * none is {@code null}), and a key that expired meanwhile is a key that is gone;</li>
 * <li>a copy to Redis sets the key's expiry from the column ({@code PEXPIREAT}, or
 * {@code PERSIST} for {@code null}); a row whose expiry has passed is copied as absent;</li>
 * <li>a save with PostgreSQL as primary fills the column as Redis would have expired the
 * key: the entity's time to live, or the key's current expiry where the Redis store keeps it
 * on save (JSON strings), unless the entity mapping set the column itself;</li>
 * <li>reads drop rows whose expiry has passed ({@link #isLive}).</li>
 * </ul>
 * @param <R> the Redis entity type
 * @param <P> the PostgreSQL entity type
 * @param <ID> the id type
 */
public final class KeyExpiry<R, P, ID> {

    private static final KeyExpiry<?, ?, ?> NONE = new KeyExpiry<>(null, null, null, Clock.systemUTC(),
            Duration.ZERO);

    // One sweeper per repository at a time, across instances: the loser skips the round. The
    // name's prefix keeps it apart from the keys' locks (same hash function).
    private static final String SWEEP_LOCK_SQL = "select pg_try_advisory_xact_lock(hashtextextended(?, 0))";

    private static final String SWEEP_LOCK_PREFIX = "dualwrite:expiry-sweep:";

    private final @Nullable ExpiryColumn<P> column;

    private final @Nullable RedisKeyTtl<R, ID> keys;

    private final @Nullable JdbcOperations jdbc;

    private final Clock clock;

    private final Duration tolerance;

    private KeyExpiry(@Nullable ExpiryColumn<P> column, @Nullable RedisKeyTtl<R, ID> keys,
            @Nullable JdbcOperations jdbc, Clock clock, Duration tolerance) {
        this.column = column;
        this.keys = keys;
        this.jdbc = jdbc;
        this.clock = clock;
        this.tolerance = tolerance;
    }

    /**
     * Return the expiry of a repository that carries none (today's behaviour).
     * @param <R> the Redis entity type
     * @param <P> the PostgreSQL entity type
     * @param <ID> the id type
     * @return the no-op expiry
     */
    @SuppressWarnings("unchecked")
    public static <R, P, ID> KeyExpiry<R, P, ID> none() {
        return (KeyExpiry<R, P, ID>) NONE;
    }

    /**
     * Return the expiry of a repository that carries it in a column.
     * @param column the PostgreSQL entity's expiry property
     * @param keys the Redis shape's keys, read and written through its own connection
     * @param jdbc a connection to the repository's PostgreSQL
     * @param clock the clock reads are judged by
     * @param tolerance how far apart the two stores' expiries of a key may be and still count
     * as equal in a verification
     * @param <R> the Redis entity type
     * @param <P> the PostgreSQL entity type
     * @param <ID> the id type
     * @return the expiry
     */
    public static <R, P, ID> KeyExpiry<R, P, ID> of(ExpiryColumn<P> column, RedisKeyTtl<R, ID> keys,
            JdbcOperations jdbc, Clock clock, Duration tolerance) {
        Assert.notNull(column, "column must not be null");
        Assert.notNull(keys, "keys must not be null");
        Assert.notNull(jdbc, "jdbc must not be null");
        Assert.notNull(clock, "clock must not be null");
        Assert.isTrue(tolerance != null && !tolerance.isNegative(), "tolerance must not be negative");
        return new KeyExpiry<>(column, keys, jdbc, clock, tolerance);
    }

    /** Return whether expiries are carried for this repository. */
    public boolean enabled() {
        return this.column != null;
    }

    /** Return the expiry column, when expiries are carried. */
    Optional<ExpiryColumn<P>> column() {
        return Optional.ofNullable(this.column);
    }

    /**
     * Prepare a row copied from Redis: set its expiry from the key's remaining time to live.
     * Call right after reading the key's value.
     * @param row the row, converted from the Redis entity
     * @param id its id
     * @return the row to write, or empty when the key is gone by now (expired since it was
     * read): the copy is then a delete
     */
    public Optional<P> fromRedis(P row, ID id) {
        if (this.column == null) {
            return Optional.of(row);
        }
        long pttl = pttl(requireKeys().keyOf(id));
        if (pttl == -2) {
            return Optional.empty();
        }
        return Optional.of(this.column.with(row, expiryOf(pttl, this.clock.instant())));
    }

    /**
     * Read the remaining time to live of many keys in one pipelined round trip (the backfill
     * and the verifier, per batch).
     * @param redisKeys the Redis keys
     * @return {@code PTTL} by key (milliseconds, {@code -1} without expiry, {@code -2} for a
     * key that is gone); empty when expiries are not carried
     */
    public Map<String, Long> pttls(Collection<String> redisKeys) {
        if (this.column == null || redisKeys.isEmpty()) {
            return Map.of();
        }
        List<String> keys = List.copyOf(redisKeys);
        List<Object> answers = pipelined((connection) -> keys
            .forEach((key) -> connection.keyCommands().pTtl(bytes(key))));
        Map<String, Long> pttls = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            pttls.put(keys.get(i), (answers.get(i) instanceof Number pttl) ? pttl.longValue() : -2L);
        }
        return pttls;
    }

    /**
     * Set a row's expiry from a {@code PTTL} read for its key (the backfill's batch read).
     * @param row the row converted from the Redis entity
     * @param pttl the key's {@code PTTL}, or {@code null} when not read (expiries not carried)
     * @param now when it was read
     * @return the row to write, or empty when the key is gone by now (expired since its value
     * was read)
     */
    public Optional<P> withPttl(P row, @Nullable Long pttl, Instant now) {
        if (this.column == null || pttl == null) {
            return Optional.of(row);
        }
        if (pttl == -2) {
            return Optional.empty();
        }
        return Optional.of(this.column.with(row, expiryOf(pttl, now)));
    }

    /**
     * Prepare the Redis side of a comparison with a row (the verifier): the Redis value,
     * mapped, gets the row's expiry when the key's {@code PTTL} tells the same instant within
     * the tolerance, and the instant the key really expires at otherwise, so a difference of
     * expiry shows as a difference of the expiry property and nothing else does.
     * @param mapped the Redis value mapped to the PostgreSQL type
     * @param row the row it is compared with
     * @param pttl the key's {@code PTTL}, or {@code null} when not read (the expiry is then
     * not compared)
     * @param now when it was read
     * @return the value to compare with {@code row}
     */
    public P forComparison(P mapped, P row, @Nullable Long pttl, Instant now) {
        if (this.column == null) {
            return mapped;
        }
        Instant rowExpiry = this.column.get(row);
        if (pttl == null || pttl == -2) {
            return this.column.with(mapped, rowExpiry);
        }
        Instant redisExpiry = expiryOf(pttl, now);
        return this.column.with(mapped, withinTolerance(redisExpiry, rowExpiry) ? rowExpiry : redisExpiry);
    }

    /**
     * Give a value the expiry of the row it is compared with when the two expiries tell the
     * same instant within the tolerance (both none, or at most the tolerance apart), so that
     * an expiry computed again from a later {@code PTTL} is no difference (the catch-up
     * backfill's comparison); a value of another type, or whose expiry differs, is returned
     * as it is.
     * @param value the value copied from Redis
     * @param row the stored row it is compared with
     * @return the value to compare with {@code row}
     */
    public Object withToleratedExpiry(Object value, Object row) {
        ExpiryColumn<P> expiry = this.column;
        if (expiry == null || !expiry.entityType().isInstance(value) || !expiry.entityType().isInstance(row)) {
            return value;
        }
        P mapped = expiry.entityType().cast(value);
        Instant valueExpiry = expiry.get(mapped);
        Instant rowExpiry = expiry.get(expiry.entityType().cast(row));
        return withinTolerance(valueExpiry, rowExpiry) ? expiry.with(mapped, rowExpiry) : value;
    }

    private boolean withinTolerance(@Nullable Instant one, @Nullable Instant other) {
        if (one == null || other == null) {
            return one == other;
        }
        return Duration.between(one, other).abs().compareTo(this.tolerance) <= 0;
    }

    /**
     * Return a row without its expiry, for comparisons that have no {@code PTTL} to compare it
     * with (shadow reads): the value read from Redis carries no expiry of its own.
     * @param row the row
     * @return the row with a {@code null} expiry, or the row itself when expiries are not carried
     */
    public P withoutExpiry(P row) {
        return (this.column != null && this.column.get(row) != null) ? this.column.with(row, null) : row;
    }

    /**
     * Turn a key's {@code PTTL} into the instant it expires at.
     * @param pttl the remaining time to live in milliseconds; {@code -1} for none
     * @param now when it was read
     * @return the instant, or {@code null} for a key without expiry
     */
    static @Nullable Instant expiryOf(long pttl, Instant now) {
        return (pttl < 0) ? null : now.plusMillis(pttl);
    }

    /**
     * Give the Redis entity of a row the time the row has left in its time-to-live property,
     * if its type declares one, as Spring Data Redis reads it back from a key. Before a copy to
     * Redis, so that the store's save expires the key (and keeps what it keeps for expiring
     * keys) as it would for the application's own save ({@link #toRedis} then sets the exact
     * instant); on a read from PostgreSQL, so the application sees what a read from Redis
     * shows. A row without expiry leaves the property as the entity mapping set it.
     * @param entity the Redis entity converted from the row
     * @param row the row (live)
     * @return the entity, a new instance for an immutable type when changed
     */
    public R withTimeLeft(R entity, P row) {
        if (this.column == null) {
            return entity;
        }
        Instant at = this.column.get(row);
        Duration left = (at != null) ? Duration.between(this.clock.instant(), at) : Duration.ZERO;
        return (left.isNegative() || left.isZero()) ? entity : requireKeys().withTimeToLive(entity, left);
    }

    /**
     * Give a key just copied from a row the row's expiry.
     * @param row the row that was copied (live)
     * @param id its id
     */
    public void toRedis(P row, ID id) {
        if (this.column == null) {
            return;
        }
        Instant at = this.column.get(row);
        String key = requireKeys().keyOf(id);
        List<RedisKeyTtl.Companion> companions = requireKeys().companionsOf(id);
        pipelined((connection) -> {
            if (at == null) {
                connection.keyCommands().persist(bytes(key));
                // A companion only exists for an expiring key (as the adapter keeps it): made
                // persistent it would stay forever.
                companions.forEach((companion) -> connection.keyCommands().unlink(bytes(companion.key())));
            }
            else {
                connection.keyCommands().pExpireAt(bytes(key), at.toEpochMilli());
                companions.forEach((companion) -> connection.keyCommands()
                    .pExpireAt(bytes(companion.key()), at.plus(companion.after()).toEpochMilli()));
            }
        });
    }

    /**
     * Tell whether a row is still visible: it has no expiry, or one in the future. Anything
     * that is not a row of this repository is visible.
     * @param value a row, or any other value a read returned
     * @return whether to keep it
     */
    public boolean isLive(@Nullable Object value) {
        if (this.column == null || value == null || !this.column.entityType().isInstance(value)) {
            return true;
        }
        return this.column.isLive(this.column.entityType().cast(value), this.clock.instant());
    }

    /**
     * Fill the expiry of a row saved with PostgreSQL as primary, as Redis would have expired
     * the key on the same save. In order: a positive time to live on the saved entity
     * ({@code @TimeToLive}) sets the expiry to now plus that time, over any expiry the row
     * carries (one the entity kept from an earlier read, say): setting it is how a caller
     * extends a key, as a save to Redis does; otherwise a row whose mapping set an expiry
     * keeps it; otherwise the key's current expiry where the Redis store keeps it on save
     * (JSON strings), and none where the save removes it.
     * @param entity the entity the application saved
     * @param row the row converted from it
     * @param existing reads the key's current row (called at most once, only when the
     * Redis store would keep the key's current expiry)
     * @return the row to write
     */
    public P forPrimarySave(R entity, P row, Supplier<Optional<P>> existing) {
        ExpiryColumn<P> expiry = this.column;
        if (expiry == null) {
            return row;
        }
        Optional<Duration> onSave = requireKeys().expiryOnSave(entity);
        Instant now = this.clock.instant();
        if (onSave.isPresent() && !onSave.get().isZero()) {
            return expiry.with(row, now.plus(onSave.get()));
        }
        if (expiry.get(row) != null) {
            return row;
        }
        Instant at = null;
        if (onSave.isEmpty()) {
            at = existing.get().filter((current) -> expiry.isLive(current, now)).map(expiry::get).orElse(null);
        }
        return (at != null) ? expiry.with(row, at) : row;
    }

    /**
     * Count the rows that are still live, by the database's clock.
     * @return the number of rows without expiry or with one in the future
     */
    public long countLive() {
        Assert.state(this.column != null && this.jdbc != null, "no live count without an expiry column");
        Long count = this.jdbc.queryForObject(this.column.countLiveSql(), Long.class);
        return (count != null) ? count : 0;
    }

    /**
     * Delete up to {@code limit} rows whose expiry has passed by the database's clock, in one
     * short transaction that first tries the repository's sweep lock (a transaction-scoped
     * advisory lock): when another instance holds it, nothing is deleted. The statement skips
     * rows live transactions hold and re-checks each row's expiry, so a row rewritten
     * meanwhile with a later expiry stays.
     * @param repository the repository name (names the lock)
     * @param limit the most rows to delete
     * @return how many rows were deleted, or {@code -1} when another instance is sweeping
     * this repository
     */
    int deleteExpired(String repository, int limit) {
        ExpiryColumn<P> expiry = this.column;
        JdbcOperations operations = this.jdbc;
        Assert.state(expiry != null && operations != null, "nothing to sweep without an expiry column");
        Integer deleted = operations.execute((ConnectionCallback<Integer>) (connection) -> {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                int rows = -1;
                if (tryLock(connection, SWEEP_LOCK_PREFIX + repository)) {
                    try (PreparedStatement delete = connection.prepareStatement(expiry.deleteExpiredSql())) {
                        delete.setInt(1, limit);
                        rows = delete.executeUpdate();
                    }
                }
                // Commit ends the transaction and with it the advisory lock.
                connection.commit();
                return rows;
            }
            catch (SQLException | RuntimeException ex) {
                connection.rollback();
                throw ex;
            }
            finally {
                connection.setAutoCommit(autoCommit);
            }
        });
        return (deleted != null) ? deleted : 0;
    }

    private static boolean tryLock(Connection connection, String name) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(SWEEP_LOCK_SQL)) {
            lock.setString(1, name);
            try (ResultSet result = lock.executeQuery()) {
                return result.next() && result.getBoolean(1);
            }
        }
    }

    /**
     * Read a key's remaining time to live.
     * @param key the Redis key
     * @return milliseconds, {@code -1} without expiry, {@code -2} when the key does not exist
     */
    long pttl(String key) {
        Long pttl = requireKeys().execute((RedisCallback<Long>) (connection) -> connection.keyCommands()
            .pTtl(bytes(key)));
        return (pttl != null) ? pttl : -2;
    }

    private RedisKeyTtl<R, ID> requireKeys() {
        Assert.state(this.keys != null, "no Redis keys without an expiry column");
        return this.keys;
    }

    // One round trip on the repository's own connection, as RedisTemplate#executePipelined
    // does it; the answers are Redis's raw replies.
    private List<Object> pipelined(Consumer<RedisConnection> commands) {
        List<Object> answers = requireKeys().execute((RedisCallback<List<Object>>) (connection) -> {
            connection.openPipeline();
            boolean closed = false;
            try {
                commands.accept(connection);
                closed = true;
                return connection.closePipeline();
            }
            finally {
                if (!closed) {
                    connection.closePipeline();
                }
            }
        });
        return (answers != null) ? answers : List.of();
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

}
