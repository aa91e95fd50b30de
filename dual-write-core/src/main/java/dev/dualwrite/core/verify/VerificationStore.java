package dev.dualwrite.core.verify;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.BackgroundVerifier.LastPass;
import dev.dualwrite.core.verify.VerificationRuns.RunStatus;
import dev.dualwrite.core.verify.VerificationRuns.State;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.util.Assert;

/**
 * The tables {@code dualwrite_verification} and {@code dualwrite_verification_difference}:
 * every verification a {@link Verifier} runs, written when it starts and when it ends, so that
 * its report outlives the instance that made it and every instance serves it. Counts are kept
 * complete; the differences listed are bounded ({@link #maxDifferences()}), and never carry
 * values (they may hold personal data). Also holds the lease of the
 * {@link BackgroundVerifier} ({@code dualwrite_verification_lease}).
 */
public class VerificationStore {

    /** Most differences kept per verification unless configured otherwise. */
    public static final int DEFAULT_MAX_DIFFERENCES = 10_000;

    private static final String STARTED = """
            insert into dualwrite_verification (id, repository, mode, strategy, sample_percent, started_by, background,
                state)
            values (?, ?, ?, ?, ?, ?, ?, 'RUNNING')""";

    // Ended by the database's clock, as started_at (set on insert) is: passes of different
    // instances then sort and compare without clock skew.
    private static final String FINISHED = """
            update dualwrite_verification set state = ?, strategy = ?, sample_percent = ?,
                finished_at = clock_timestamp(), redis_keys = ?, postgres_rows = ?, compared = ?, only_in_redis = ?,
                only_in_postgres = ?, content = ?, unreadable_in_redis = ?, differences_truncated = ?,
                pending_postgres = ?, pending_redis = ?, agree = ?, error = ?, summary = ?
            where id = ?""";

    private static final String DIFFERENCE = """
            insert into dualwrite_verification_difference (verification_id, position, entity_key, kind, fields, problem)
            values (?, ?, ?, ?, ?, ?)""";

    private static final String BY_ID = "select * from dualwrite_verification where id = ?";

    private static final String RECENT = """
            select * from dualwrite_verification where (?::varchar is null or repository = ?)
                and (?::boolean is null or background = ?)
            order by started_at desc limit ?""";

    private static final String DIFFERENCES = """
            select entity_key, kind, fields, problem from dualwrite_verification_difference
            where verification_id = ? order by position""";

    private static final String LAST_BACKGROUND_PASS = """
            select id, finished_at, only_in_redis + only_in_postgres + content + unreadable_in_redis as differences,
                extract(epoch from clock_timestamp() - finished_at) as age_seconds
            from dualwrite_verification
            where repository = ? and background and mode = 'FULL' and state = 'DONE'
            order by finished_at desc limit 1""";

    // Operators' verifications are few and worth keeping; background passes come one after
    // the other, so only the newest are, and the newest of each outcome (clean, differ,
    // incomplete, still running): a gate's text or an alert may cite one of those long after.
    private static final String PRUNE_BACKGROUND = """
            delete from dualwrite_verification where repository = ? and background
            and id not in (
                select id from dualwrite_verification where repository = ? and background
                order by started_at desc limit ?)
            and id not in (
                select distinct on (state, agree) id from dualwrite_verification
                where repository = ? and background
                order by state, agree, started_at desc)""";

    // Taken only once expired: the holder's own lease is also the pause after its pass.
    private static final String TAKE_LEASE = """
            insert into dualwrite_verification_lease (repository, holder, expires_at)
            values (?, ?, now() + (? * interval '1 millisecond'))
            on conflict (repository) do update
            set holder = excluded.holder, acquired_at = now(), expires_at = excluded.expires_at
            where dualwrite_verification_lease.expires_at < now()""";

    private static final String RENEW_LEASE = """
            update dualwrite_verification_lease set expires_at = now() + (? * interval '1 millisecond')
            where repository = ? and holder = ?""";

    private static final String HOLDER = """
            select holder from dualwrite_verification_lease where repository = ? and expires_at >= now()""";

    private final JdbcOperations jdbc;

    private final int maxDifferences;

    /**
     * Create a store that keeps up to {@link #DEFAULT_MAX_DIFFERENCES} differences per
     * verification.
     * @param jdbc PostgreSQL, where the library's tables live
     */
    public VerificationStore(JdbcOperations jdbc) {
        this(jdbc, DEFAULT_MAX_DIFFERENCES);
    }

    /**
     * @param jdbc PostgreSQL, where the library's tables live
     * @param maxDifferences most differences kept per verification (all are counted)
     */
    public VerificationStore(JdbcOperations jdbc, int maxDifferences) {
        Assert.notNull(jdbc, "jdbc must not be null");
        Assert.isTrue(maxDifferences >= 0, "maxDifferences must not be negative");
        this.jdbc = jdbc;
        this.maxDifferences = maxDifferences;
    }

    /**
     * Return how many differences are kept per verification.
     * @return the bound
     */
    public int maxDifferences() {
        return this.maxDifferences;
    }

    void started(String id, String repository, VerifyOptions options, WriteStrategy strategy, String startedBy,
            boolean background) {
        this.jdbc.update(STARTED, id, repository, options.mode().name(), strategy.name(),
                (options.mode() == VerifyMode.SAMPLED) ? options.samplePercent() : 100.0, startedBy, background);
    }

    // The differences first: a crash in between leaves the row RUNNING, not DONE with a
    // partial list.
    void finished(String id, VerificationReport report) {
        List<Difference> kept = report.differences().subList(0, Math.min(report.differences().size(),
                this.maxDifferences));
        this.jdbc.batchUpdate(DIFFERENCE, new BatchPreparedStatementSetter() {
            @Override
            public void setValues(PreparedStatement ps, int i) throws SQLException {
                Difference difference = kept.get(i);
                ps.setString(1, id);
                ps.setInt(2, i);
                ps.setString(3, difference.key());
                ps.setString(4, difference.kind().name());
                ps.setArray(5, ps.getConnection().createArrayOf("text", difference.fields().toArray()));
                ps.setString(6, difference.problem());
            }

            @Override
            public int getBatchSize() {
                return kept.size();
            }
        });
        Map<DifferenceKind, Long> counts = report.counts();
        this.jdbc.update(FINISHED, (report.error() == null) ? State.DONE.name() : State.FAILED.name(),
                report.strategy().name(), report.samplePercent(), report.redisKeys(), report.postgresRows(),
                report.compared(),
                counts.getOrDefault(DifferenceKind.ONLY_IN_REDIS, 0L),
                counts.getOrDefault(DifferenceKind.ONLY_IN_POSTGRES, 0L),
                counts.getOrDefault(DifferenceKind.CONTENT, 0L),
                counts.getOrDefault(DifferenceKind.UNREADABLE_IN_REDIS, 0L),
                report.differencesTruncated() || kept.size() < report.differences().size(),
                report.pendingRepairs().get(Store.POSTGRES.tagValue()),
                report.pendingRepairs().get(Store.REDIS.tagValue()), report.agree(), report.error(), report.summary(),
                id);
    }

    /**
     * Return the status of a verification, whichever instance ran it.
     * @param id the run id
     * @return its status (without progress), or empty when unknown
     */
    public Optional<RunStatus> status(String id) {
        return this.jdbc.query(BY_ID, VerificationStore::status, id).stream().findFirst();
    }

    /**
     * Return the statuses of the newest verifications, newest first.
     * @param repository only those of this repository, or all when {@code null}
     * @param limit most to return
     * @return the statuses
     */
    public List<RunStatus> recent(@Nullable String repository, int limit) {
        return recent(repository, null, limit);
    }

    /**
     * Return the statuses of the newest verifications of one kind, newest first.
     * @param repository only those of this repository, or all when {@code null}
     * @param background only background passes ({@code true}), only the others
     * ({@code false}), or both ({@code null})
     * @param limit most to return
     * @return the statuses
     */
    public List<RunStatus> recent(@Nullable String repository, @Nullable Boolean background, int limit) {
        Assert.isTrue(limit > 0, "limit must be positive");
        return this.jdbc.query(RECENT, VerificationStore::status, repository, repository, background, background,
                limit);
    }

    /**
     * Return the report of a finished verification, whichever instance ran it, with the
     * differences kept (never their values).
     * @param id the run id
     * @return the report, or empty while it runs or when unknown
     */
    public Optional<VerificationReport> report(String id) {
        List<VerificationReport> found = this.jdbc.query(BY_ID, (rs, row) -> report(rs), id);
        return found.stream().filter((report) -> report != null).findFirst();
    }

    /**
     * The newest background full pass that completed, whatever it found; its age is the
     * database's, as of this read.
     */
    Optional<LastPass> lastBackgroundPass(String repository) {
        return this.jdbc.query(LAST_BACKGROUND_PASS, (rs, row) -> new LastPass(rs.getString("id"),
                rs.getTimestamp("finished_at").toInstant(), rs.getLong("differences"),
                Duration.ofMillis(Math.max(0, Math.round(rs.getDouble("age_seconds") * 1000)))), repository)
            .stream()
            .findFirst();
    }

    void pruneBackground(String repository, int keep) {
        this.jdbc.update(PRUNE_BACKGROUND, repository, repository, keep, repository);
    }

    /** Take the repository's lease if nobody holds it (or the holder's expired). */
    boolean takeLease(String repository, String holder, Duration lease) {
        return this.jdbc.update(TAKE_LEASE, repository, holder, lease.toMillis()) == 1;
    }

    /** Extend the lease; false when another instance took it meanwhile. */
    boolean renewLease(String repository, String holder, Duration lease) {
        return this.jdbc.update(RENEW_LEASE, lease.toMillis(), repository, holder) == 1;
    }

    /** Keep the lease (so nobody starts a pass) until {@code for} from now, then let it lapse. */
    void holdLease(String repository, String holder, Duration duration) {
        this.jdbc.update(RENEW_LEASE, duration.toMillis(), repository, holder);
    }

    /** The instance holding the repository's lease now, if any. */
    Optional<String> leaseHolder(String repository) {
        return this.jdbc.queryForList(HOLDER, String.class, repository).stream().findFirst();
    }

    private @Nullable VerificationReport report(ResultSet rs) throws SQLException {
        if (State.valueOf(rs.getString("state")) == State.RUNNING) {
            return null;
        }
        String id = rs.getString("id");
        Map<DifferenceKind, Long> counts = new EnumMap<>(DifferenceKind.class);
        counts.put(DifferenceKind.ONLY_IN_REDIS, rs.getLong("only_in_redis"));
        counts.put(DifferenceKind.ONLY_IN_POSTGRES, rs.getLong("only_in_postgres"));
        counts.put(DifferenceKind.CONTENT, rs.getLong("content"));
        counts.put(DifferenceKind.UNREADABLE_IN_REDIS, rs.getLong("unreadable_in_redis"));
        Map<String, @Nullable Long> pending = new LinkedHashMap<>();
        pending.put(Store.POSTGRES.tagValue(), (Long) rs.getObject("pending_postgres"));
        pending.put(Store.REDIS.tagValue(), (Long) rs.getObject("pending_redis"));
        List<Difference> differences = this.jdbc.query(DIFFERENCES, (row, n) -> {
            Array fields = row.getArray("fields");
            return new Difference(row.getString("entity_key"), DifferenceKind.valueOf(row.getString("kind")),
                    Arrays.asList((String[]) fields.getArray()), null, row.getString("problem"));
        }, id);
        return new VerificationReport(rs.getString("repository"), WriteStrategy.valueOf(rs.getString("strategy")),
                VerifyMode.valueOf(rs.getString("mode")), rs.getDouble("sample_percent"),
                rs.getTimestamp("started_at").toInstant(), instant(rs.getTimestamp("finished_at")),
                rs.getLong("redis_keys"), rs.getLong("postgres_rows"), rs.getLong("compared"), Map.copyOf(counts),
                new ArrayList<>(differences), rs.getBoolean("differences_truncated"), pending,
                rs.getString("error"));
    }

    private static RunStatus status(ResultSet rs, int row) throws SQLException {
        State state = State.valueOf(rs.getString("state"));
        Long differences = null;
        if (state != State.RUNNING) {
            differences = rs.getLong("only_in_redis") + rs.getLong("only_in_postgres") + rs.getLong("content")
                    + rs.getLong("unreadable_in_redis");
        }
        return new RunStatus(rs.getString("id"), rs.getString("repository"), VerifyMode.valueOf(rs.getString("mode")),
                rs.getString("started_by"), rs.getTimestamp("started_at").toInstant(), state, null,
                rs.getString("summary"), (Boolean) rs.getObject("agree"), differences, rs.getString("error"));
    }

    private static Instant instant(@Nullable Timestamp timestamp) {
        return (timestamp != null) ? timestamp.toInstant() : Instant.EPOCH;
    }

}
