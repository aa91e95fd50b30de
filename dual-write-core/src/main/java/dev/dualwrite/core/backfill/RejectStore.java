package dev.dualwrite.core.backfill;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.util.Assert;

/**
 * The {@code dualwrite_backfill_reject} table: keys set aside, one row per key.
 */
public class RejectStore {

    private final JdbcOperations jdbc;

    public RejectStore(JdbcOperations jdbc) {
        Assert.notNull(jdbc, "jdbc must not be null");
        this.jdbc = jdbc;
    }

    public void record(String repository, String key, String reason, @Nullable String rawValue, String runId) {
        this.jdbc.update("insert into dualwrite_backfill_reject (repository, entity_key, reason, raw_value, run_id) "
                + "values (?, ?, ?, ?, ?) on conflict (repository, entity_key) do update set reason = excluded.reason, "
                + "raw_value = excluded.raw_value, run_id = excluded.run_id, "
                + "attempts = dualwrite_backfill_reject.attempts + 1, rejected_at = now()",
                repository, key, reason, rawValue, runId);
    }

    public void remove(String repository, String key) {
        this.jdbc.update("delete from dualwrite_backfill_reject where repository = ? and entity_key = ?", repository,
                key);
    }

    /**
     * List rejects, oldest key first.
     * @param repository the repository
     * @param afterKey list keys after this one (paging), or {@code null} from the start
     * @param limit at most this many
     * @return the rejects
     */
    public List<BackfillReject> list(String repository, @Nullable String afterKey, int limit) {
        return this.jdbc.query("select * from dualwrite_backfill_reject where repository = ? and entity_key > ? "
                + "order by entity_key limit ?", RejectStore::map, repository, (afterKey != null) ? afterKey : "",
                limit);
    }

    public long count(String repository) {
        Long count = this.jdbc.queryForObject("select count(*) from dualwrite_backfill_reject where repository = ?",
                Long.class, repository);
        return (count != null) ? count : 0;
    }

    private static BackfillReject map(ResultSet rs, int row) throws SQLException {
        return new BackfillReject(rs.getString("repository"), rs.getString("entity_key"), rs.getString("reason"),
                rs.getString("raw_value"), rs.getInt("attempts"), rs.getTimestamp("rejected_at").toInstant());
    }

}
