package dev.dualwrite.core.control;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.dualwrite.core.backfill.BackfillCheckpoint;
import dev.dualwrite.core.backfill.BackfillState;
import dev.dualwrite.core.backfill.CheckpointStore;
import dev.dualwrite.core.repair.FailureReason;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.OldStoreRepairLog;
import dev.dualwrite.core.strategy.GateCheck;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcOperations;

/**
 * The conditions of a stage move, each checked against the shared tables with the figures it
 * saw. Where a condition refers to "since the repository entered DUAL" or "after the
 * backfill", times are the database's, so they compare across instances.
 */
final class Gates {

    // When PostgreSQL last started to be kept after a period without it: a move from
    // REDIS_PRIMARY to DUAL, or a first stage stored as DUAL. History written before exists
    // only in Redis.
    private static final String POSTGRES_KEPT_SINCE = """
            select max(at) from dualwrite_ledger where repository = ? and (
                (action = 'STAGE_CHANGED' and from_stage = 'REDIS_PRIMARY' and to_stage = 'DUAL')
                or (action = 'STAGE_SEEDED' and to_stage = 'DUAL'))""";

    // When Redis last started to be kept again after POSTGRES_ONLY.
    private static final String REDIS_KEPT_AGAIN_SINCE = """
            select max(at) from dualwrite_ledger
            where repository = ? and action = 'STAGE_CHANGED' and from_stage = 'POSTGRES_ONLY'""";

    // The one that started last, not the one that ended last: a long pass (a background one)
    // that started before a newer check found differences must not hide them by ending after it.
    private static final String NEWEST_FULL_VERIFICATION_AFTER = """
            select outcome, actor, started_at, at, details from dualwrite_ledger
            where repository = ? and action = 'VERIFICATION_FINISHED' and mode = 'FULL' and started_at > ?
            order by started_at desc, id desc limit 1""";

    private final JdbcOperations jdbc;

    private final InstanceTable instances;

    private final CheckpointStore checkpoints;

    private final OldStoreRepairLog oldStoreRepairLog;

    private final PostgresRepairLog postgresRepairLog;

    private final ControlPlaneSettings settings;

    Gates(JdbcOperations jdbc, InstanceTable instances, CheckpointStore checkpoints, OldStoreRepairLog oldStoreRepairLog,
            PostgresRepairLog postgresRepairLog, ControlPlaneSettings settings) {
        this.jdbc = jdbc;
        this.instances = instances;
        this.checkpoints = checkpoints;
        this.oldStoreRepairLog = oldStoreRepairLog;
        this.postgresRepairLog = postgresRepairLog;
        this.settings = settings;
    }

    /** Every condition of moving from {@code current} to {@code target}. */
    List<GateCheck> forMove(SharedStage current, WriteStrategy target) {
        List<GateCheck> checks = new ArrayList<>();
        WriteStrategy from = current.strategy();
        checks.add(new GateCheck("adjacent", from.isAdjacentTo(target), from.isAdjacentTo(target)
                ? from + " -> " + target + " is one stage"
                : from + " -> " + target + " skips a stage; walk the stages one at a time"));
        checks.add(instancesAgree(current));
        if (from == WriteStrategy.DUAL && target.ordinal() > from.ordinal()) {
            checks.addAll(postgresComplete(current));
        }
        if (from == WriteStrategy.POSTGRES_PRIMARY && target == WriteStrategy.POSTGRES_ONLY) {
            // The Redis log still drains at POSTGRES_PRIMARY: keys of writes made in DUAL that
            // never reached PostgreSQL (a writer killed less than the in-flight grace before the
            // move to POSTGRES_PRIMARY left an intent the gate of that move did not count).
            // Past POSTGRES_ONLY, Redis is no longer read as a source, so they would stay lost.
            checks.add(postgresOwedNothing(current.repository()));
        }
        if (from == WriteStrategy.POSTGRES_PRIMARY && target.ordinal() < from.ordinal()) {
            checks.add(redisOwedNothing(current.repository()));
            redisVerifiedAfterRollback(current.repository()).ifPresent(checks::add);
        }
        if (from == WriteStrategy.DUAL && target == WriteStrategy.REDIS_PRIMARY) {
            // Nothing drains in REDIS_PRIMARY: a write made with PostgreSQL as primary that
            // has not reached Redis would never reach it, the only store read there.
            checks.add(redisOwedNothing(current.repository()));
        }
        return checks;
    }

    /**
     * The conditions of serving reads from PostgreSQL in {@code DUAL}: PostgreSQL holds the
     * history, was found equal to Redis, and owes nothing.
     */
    List<GateCheck> forRampedReads(SharedStage current) {
        if (current.strategy() != WriteStrategy.DUAL) {
            return List.of(new GateCheck("stage", true,
                    "reads are ramped in DUAL only; at " + current.strategy() + " the share has no effect"));
        }
        return postgresComplete(current);
    }

    GateCheck instancesAgree(SharedStage current) {
        Agreement agreement = Agreement.of(current,
                this.instances.stagesOf(current.repository(), this.settings.instanceTimeout()));
        String left = agreement.leftOut().isEmpty() ? "" : "; left out, no heartbeat within "
                + this.settings.instanceTimeout() + ": " + String.join(", ", agreement.leftOut());
        if (agreement.agreed()) {
            return new GateCheck("instances", true, agreement.live() + " live instance(s) apply epoch "
                    + current.epoch() + " (" + current.strategy() + ")" + left);
        }
        return new GateCheck("instances", false, (agreement.live() - agreement.behind().size()) + " of "
                + agreement.live() + " live instance(s) apply epoch " + current.epoch() + " (" + current.strategy()
                + "); " + String.join(", ", agreement.behind()) + left + ". An instance applies a new stage within "
                + this.settings.pollInterval() + " once its calls begun under the previous one have ended; wait, "
                + "or stop it (it is left out " + this.settings.instanceTimeout() + " after its last heartbeat)");
    }

    // Leaving DUAL forward (or reading from PostgreSQL in DUAL) needs PostgreSQL to hold
    // everything: the history copied after it started to be kept, found equal, nothing owed.
    private List<GateCheck> postgresComplete(SharedStage current) {
        List<GateCheck> checks = new ArrayList<>();
        Instant keptSince = instant(POSTGRES_KEPT_SINCE, current.repository());
        Instant verifiedAfter = current.changedAt();
        if (keptSince == null) {
            checks.add(new GateCheck("backfill", true, "the stage was first stored as " + current.strategy()
                    + " with PostgreSQL written since; no history to copy"));
        }
        else {
            Optional<BackfillCheckpoint> last = this.checkpoints.find(current.repository());
            Instant finished = last.filter((checkpoint) -> checkpoint.state() == BackfillState.COMPLETED)
                .map(BackfillCheckpoint::finishedAt)
                .filter((at) -> at.isAfter(keptSince))
                .orElse(null);
            if (finished != null) {
                checks.add(new GateCheck("backfill", true, "backfill COMPLETED at " + finished + " ("
                        + last.get().rowsRead() + " keys read, " + last.get().rowsRejected()
                        + " set aside), after the repository entered DUAL at " + keptSince));
                verifiedAfter = later(verifiedAfter, finished);
            }
            else {
                checks.add(new GateCheck("backfill", false, "no backfill COMPLETED since the repository entered DUAL at "
                        + keptSince + " (" + last.map(Gates::describe).orElse("none has run since")
                        + "); history written before DUAL exists only in Redis: run the backfill"));
            }
        }
        checks.add(verifiedSince(current.repository(), verifiedAfter, "the backfill and the start of "
                + current.strategy()));
        checks.add(postgresOwedNothing(current.repository()));
        return checks;
    }

    // Write intents count once older than the in-flight grace, not the reconciler's longer
    // interrupted-write grace, so a dead writer's intent holds a move before it is promoted.
    // Younger ones do not: a writer killed less than the in-flight grace before the move may
    // have applied the current epoch already, so the instance agreement does not hold the move
    // either. Such a key is repaired by the reconciler after the move (PostgreSQL misses the
    // write until then), and the move on to POSTGRES_ONLY waits for it (see forMove).
    private GateCheck postgresOwedNothing(String repository) {
        try {
            Duration grace = this.settings.inFlightGrace();
            long pending = this.oldStoreRepairLog.backlog(repository, grace);
            return new GateCheck("repairs", pending == 0, (pending == 0)
                    ? "no key awaits repair in PostgreSQL (write intents in flight for less than " + grace + " aside)"
                    : pending + " key(s) await repair in PostgreSQL (writes made with Redis as primary that did not "
                            + "reach PostgreSQL, or were interrupted before it); let the reconciler drain them");
        }
        catch (RuntimeException ex) {
            return new GateCheck("repairs", false, "the repair log in Redis cannot be read (" + FailureReason.describe(ex)
                    + ")");
        }
    }

    private GateCheck redisOwedNothing(String repository) {
        Duration grace = this.settings.inFlightGrace();
        long backlog = this.postgresRepairLog.backlog(repository, grace);
        return new GateCheck("repairs", backlog == 0, (backlog == 0)
                ? "Redis is owed no key (outbox records of writes in flight for less than " + grace + " aside)"
                : backlog + " key(s) await repair in Redis (writes made with PostgreSQL as primary, or in "
                        + "POSTGRES_ONLY, that have not reached Redis); Redis would serve them stale: let the "
                        + "reconciler drain them (the rollback sync)");
    }

    // After POSTGRES_ONLY, Redis was rebuilt from the rollback log: it must be found equal
    // before it becomes the primary again.
    private Optional<GateCheck> redisVerifiedAfterRollback(String repository) {
        Instant keptAgain = instant(REDIS_KEPT_AGAIN_SINCE, repository);
        if (keptAgain == null) {
            return Optional.empty();
        }
        return Optional.of(verifiedSince(repository, keptAgain, "the move back from POSTGRES_ONLY"));
    }

    private GateCheck verifiedSince(String repository, Instant after, String what) {
        List<GateCheck> found = this.jdbc.query(NEWEST_FULL_VERIFICATION_AFTER, (rs, row) -> {
            boolean agree = "AGREE".equals(rs.getString("outcome"));
            // The actor tells an operator's verification from a background pass.
            String seen = "the last full verification, by '" + rs.getString("actor") + "', started at "
                    + rs.getTimestamp("started_at").toInstant()
                    + ", ended " + rs.getString("outcome") + " (" + rs.getString("details") + ")";
            return new GateCheck("verification", agree,
                    agree ? seen : seen + "; repair the differences and verify again");
        }, repository, Timestamp.from(after));
        return found.isEmpty() ? new GateCheck("verification", false, "no full verification started after " + what
                + " (at " + after + "); run one (mode FULL) and let it find the stores equal") : found.get(0);
    }

    private @Nullable Instant instant(String sql, String repository) {
        Timestamp at = this.jdbc.queryForObject(sql, Timestamp.class, repository);
        return (at != null) ? at.toInstant() : null;
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static String describe(BackfillCheckpoint checkpoint) {
        return "last: " + checkpoint.state() + ((checkpoint.finishedAt() != null) ? " at " + checkpoint.finishedAt()
                : ", started at " + checkpoint.startedAt());
    }

}
