package dev.dualwrite.core.control;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.dualwrite.core.control.LocalStages.Applied;
import dev.dualwrite.core.strategy.WriteStrategy;

import org.springframework.jdbc.core.JdbcOperations;

/**
 * The {@code dualwrite_instance} and {@code dualwrite_instance_stage} tables: who is running
 * and which epoch each applies per repository.
 */
final class InstanceTable {

    private static final String HEARTBEAT = """
            insert into dualwrite_instance (instance_id, host, started_at, last_seen_at) values (?, ?, ?, now())
            on conflict (instance_id) do update set last_seen_at = now()""";

    private static final String APPLIED = """
            insert into dualwrite_instance_stage (instance_id, repository, strategy, epoch, applied_at)
            values (?, ?, ?, ?, now())
            on conflict (instance_id, repository) do update
            set strategy = excluded.strategy, epoch = excluded.epoch,
                applied_at = case when dualwrite_instance_stage.epoch = excluded.epoch
                                  then dualwrite_instance_stage.applied_at else now() end""";

    private static final String STAGES_OF = """
            select i.instance_id, i.host, i.started_at, i.last_seen_at,
                i.last_seen_at >= now() - (? * interval '1 millisecond') as live, s.strategy, s.epoch
            from dualwrite_instance_stage s join dualwrite_instance i on i.instance_id = s.instance_id
            where s.repository = ? order by i.instance_id""";

    private final JdbcOperations jdbc;

    InstanceTable(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    void heartbeat(String instanceId, String host, Instant startedAt, Map<String, Applied> applied) {
        this.jdbc.update(HEARTBEAT, instanceId, host, Timestamp.from(startedAt));
        if (!applied.isEmpty()) {
            List<Object[]> rows = new ArrayList<>(applied.size());
            applied.forEach((repository, stage) -> rows
                .add(new Object[] { instanceId, repository, stage.strategy().name(), stage.epoch() }));
            this.jdbc.batchUpdate(APPLIED, rows);
        }
    }

    List<InstanceStage> stagesOf(String repository, Duration timeout) {
        return this.jdbc.query(STAGES_OF, InstanceTable::map, timeout.toMillis(), repository);
    }

    /** Leave: a stopped instance must not hold the next move until its heartbeat times out. */
    void remove(String instanceId) {
        this.jdbc.update("delete from dualwrite_instance where instance_id = ?", instanceId);
    }

    /** Forget instances silent for much longer than the timeout, so the tables stay small. */
    void forgetSilentFor(Duration age) {
        this.jdbc.update("delete from dualwrite_instance where last_seen_at < now() - (? * interval '1 millisecond')",
                age.toMillis());
    }

    private static InstanceStage map(ResultSet rs, int row) throws SQLException {
        return new InstanceStage(rs.getString("instance_id"), rs.getString("host"),
                rs.getTimestamp("started_at").toInstant(), rs.getTimestamp("last_seen_at").toInstant(),
                rs.getBoolean("live"), WriteStrategy.valueOf(rs.getString("strategy")), rs.getLong("epoch"));
    }

}
