package dev.dualwrite.core.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.util.Assert;

/**
 * The {@code dualwrite_ledger} table: an append-only record of every stage change and
 * operation, with who, when and why, shared by every instance. Times are the database's, so
 * entries of different instances compare without clock skew.
 */
public class Ledger {

    private static final Logger logger = LoggerFactory.getLogger(Ledger.class);

    /** Most entries one {@link #page} returns. */
    public static final int MAX_PAGE = 500;

    private static final String APPEND = """
            insert into dualwrite_ledger (repository, action, from_stage, to_stage, epoch, actor, reason, forced,
                mode, outcome, started_at, details)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            returning *""";

    private static final String PAGE = """
            select * from dualwrite_ledger
            where (?::varchar is null or repository = ?) and (?::bigint is null or id < ?)
            order by id desc limit ?""";

    private static final String NEWEST = """
            select * from dualwrite_ledger where repository = ? and action = ? order by id desc limit 1""";

    private final JdbcOperations jdbc;

    public Ledger(JdbcOperations jdbc) {
        Assert.notNull(jdbc, "jdbc must not be null");
        this.jdbc = jdbc;
    }

    /**
     * Append an entry, in the caller's transaction if there is one.
     * @param entry the entry; its id and time are ignored
     * @return the entry as stored, with its id and time
     */
    public LedgerEntry append(LedgerEntry entry) {
        Assert.notNull(entry, "entry must not be null");
        LedgerEntry stored = this.jdbc.queryForObject(APPEND, Ledger::map, entry.repository(), entry.action().name(),
                name(entry.from()), name(entry.to()), entry.epoch(), entry.actor(), entry.reason(), entry.forced(),
                entry.mode(), entry.outcome(), timestamp(entry.startedAt()), entry.details());
        Assert.state(stored != null, "The ledger returned no entry");
        return stored;
    }

    /**
     * Append an entry about an operation whose own work must not fail because the ledger
     * cannot be written (its table lives in PostgreSQL, which may be down): a failure is logged.
     * @param entry the entry
     * @return the entry as stored, or empty when it could not be
     */
    public Optional<LedgerEntry> appendQuietly(LedgerEntry entry) {
        try {
            return Optional.of(append(entry));
        }
        catch (RuntimeException ex) {
            logger.warn("dual-write: could not append {} of repository '{}' to the ledger ({})", entry.action(),
                    entry.repository(), ex.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Return entries newest first.
     * @param repository only the entries of this repository, or all when {@code null}
     * @param before only entries with a smaller id (the last id of the previous page), or from
     * the newest when {@code null}
     * @param limit the most entries to return, at most {@link #MAX_PAGE}
     * @return the entries
     */
    public List<LedgerEntry> page(@Nullable String repository, @Nullable Long before, int limit) {
        Assert.isTrue(limit > 0 && limit <= MAX_PAGE, () -> "limit must be between 1 and " + MAX_PAGE);
        return this.jdbc.query(PAGE, Ledger::map, repository, repository, before, before, limit);
    }

    /**
     * Return the newest entry of one action about a repository.
     * @param repository the repository
     * @param action the action
     * @return the entry, if there is one
     */
    public Optional<LedgerEntry> newest(String repository, LedgerAction action) {
        return this.jdbc.query(NEWEST, Ledger::map, repository, action.name()).stream().findFirst();
    }

    private static @Nullable String name(@Nullable WriteStrategy strategy) {
        return (strategy != null) ? strategy.name() : null;
    }

    private static @Nullable Timestamp timestamp(@Nullable Instant instant) {
        return (instant != null) ? Timestamp.from(instant) : null;
    }

    private static LedgerEntry map(ResultSet rs, int row) throws SQLException {
        String from = rs.getString("from_stage");
        String to = rs.getString("to_stage");
        Timestamp started = rs.getTimestamp("started_at");
        return new LedgerEntry(rs.getLong("id"), rs.getTimestamp("at").toInstant(), rs.getString("repository"),
                LedgerAction.valueOf(rs.getString("action")), (from != null) ? WriteStrategy.valueOf(from) : null,
                (to != null) ? WriteStrategy.valueOf(to) : null, rs.getLong("epoch"), rs.getString("actor"),
                rs.getString("reason"), rs.getBoolean("forced"), rs.getString("mode"), rs.getString("outcome"),
                (started != null) ? started.toInstant() : null, rs.getString("details"));
    }

}
