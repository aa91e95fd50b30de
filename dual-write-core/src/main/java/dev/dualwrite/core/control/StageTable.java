package dev.dualwrite.core.control;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcOperations;

/**
 * The {@code dualwrite_stage} table: one row per repository, the stage every instance applies.
 */
final class StageTable {

    private static final String SEED = """
            insert into dualwrite_stage (repository, strategy, epoch, changed_by, reason) values (?, ?, 1, ?, ?)
            on conflict (repository) do nothing""";

    private final JdbcOperations jdbc;

    StageTable(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    /** Store a repository's first stage; a stored one is kept. */
    boolean seed(String repository, WriteStrategy strategy, String actor, String reason) {
        return this.jdbc.update(SEED, repository, strategy.name(), actor, reason) > 0;
    }

    Optional<SharedStage> find(String repository) {
        return this.jdbc.query("select * from dualwrite_stage where repository = ?", StageTable::map, repository)
            .stream()
            .findFirst();
    }

    List<SharedStage> findAll() {
        return this.jdbc.query("select * from dualwrite_stage order by repository", StageTable::map);
    }

    /** Read a repository's stage and hold its row until the transaction ends: moves queue here. */
    Optional<SharedStage> lock(String repository) {
        return this.jdbc
            .query("select * from dualwrite_stage where repository = ? for update", StageTable::map, repository)
            .stream()
            .findFirst();
    }

    /**
     * Read a repository's stage and keep it from moving until the transaction ends, without
     * holding up others that only read it.
     */
    Optional<SharedStage> lockShared(String repository) {
        return this.jdbc
            .query("select * from dualwrite_stage where repository = ? for share", StageTable::map, repository)
            .stream()
            .findFirst();
    }

    SharedStage move(String repository, WriteStrategy to, String actor, @Nullable String reason) {
        return this.jdbc.queryForObject("""
                update dualwrite_stage set strategy = ?, epoch = epoch + 1, changed_at = clock_timestamp(), changed_by = ?,
                    reason = ?
                where repository = ? returning *""", StageTable::map, to.name(), actor, reason, repository);
    }

    private static SharedStage map(ResultSet rs, int row) throws SQLException {
        return new SharedStage(rs.getString("repository"), WriteStrategy.valueOf(rs.getString("strategy")),
                rs.getLong("epoch"), rs.getTimestamp("changed_at").toInstant(), rs.getString("changed_by"),
                rs.getString("reason"));
    }

}
