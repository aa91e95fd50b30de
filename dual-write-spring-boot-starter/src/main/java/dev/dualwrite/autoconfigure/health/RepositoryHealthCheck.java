package dev.dualwrite.autoconfigure.health;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.dualwrite.core.control.ControlPlane;
import dev.dualwrite.core.control.Agreement;
import dev.dualwrite.core.control.InstanceStage;
import dev.dualwrite.core.control.SharedStage;
import dev.dualwrite.core.repair.ClaimableRepairLog;
import dev.dualwrite.core.repair.FailureReason;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RoutingOldStoreRepairLog;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.BackgroundVerifier;
import org.jspecify.annotations.Nullable;

/**
 * Reads one repository's shared stage, the instances that apply it and both repair logs, and
 * names every figure past its threshold.
 */
final class RepositoryHealthCheck {

    private final ControlPlane controlPlane;

    private final RoutingOldStoreRepairLog oldStoreRepairLog;

    private final PostgresRepairLog postgresRepairLog;

    private final DualWriteHealthProperties thresholds;

    private final Duration inFlightGrace;

    private final Supplier<@Nullable BackgroundVerifier> backgroundVerifier;

    /**
     * @param inFlightGrace age below which an outbox record or a write intent of a write in
     * flight is no backlog, as for the control plane's gates
     * @param backgroundVerifier the background verifier, whose last pass is shown, or
     * {@code null} when it is off
     */
    RepositoryHealthCheck(ControlPlane controlPlane, RoutingOldStoreRepairLog oldStoreRepairLog,
            PostgresRepairLog postgresRepairLog, DualWriteHealthProperties thresholds, Duration inFlightGrace,
            Supplier<@Nullable BackgroundVerifier> backgroundVerifier) {
        this.backgroundVerifier = backgroundVerifier;
        this.controlPlane = controlPlane;
        this.oldStoreRepairLog = oldStoreRepairLog;
        this.postgresRepairLog = postgresRepairLog;
        this.thresholds = thresholds;
        this.inFlightGrace = inFlightGrace;
    }

    /**
     * Check one repository.
     * @throws RuntimeException when its shared stage or its instances cannot be read
     */
    RepositoryHealth check(String repository) {
        SharedStage stage = this.controlPlane.stage(repository);
        List<InstanceStage> instances = this.controlPlane.instances(repository);
        List<String> problems = new ArrayList<>();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("stage", stage.strategy().name());
        details.put("epoch", stage.epoch());
        details.put("since", stage.changedAt().toString());
        details.put("instances", instances(stage, instances, problems));
        Map<String, Object> repairs = new LinkedHashMap<>();
        repairs.put(Store.POSTGRES.tagValue(), repairs(repository, Store.POSTGRES, this.oldStoreRepairLog,
                // The gates' rule: intents count once older than the in-flight grace.
                () -> this.oldStoreRepairLog.backlog(repository, this.inFlightGrace), problems));
        repairs.put(Store.REDIS.tagValue(), owedToRedis(stage, problems));
        details.put("repairs", repairs);
        BackgroundVerifier background = this.backgroundVerifier.get();
        if (background != null) {
            details.put("backgroundVerification", background.lastPass(repository).<Object>map((pass) -> {
                // Figures only: a pass that found differences may be queued for repair already,
                // and a long pass is no fault; the meters carry them to alerts.
                Map<String, Object> figures = new LinkedHashMap<>();
                figures.put("lastPass", pass.id());
                figures.put("endedAt", pass.finishedAt().toString());
                figures.put("age", seconds(pass.age()));
                figures.put("differences", pass.differences());
                return figures;
            }).orElse("no pass completed yet"));
        }
        if (!problems.isEmpty()) {
            details.put("problems", problems);
        }
        return new RepositoryHealth(details, problems);
    }

    private Map<String, Object> instances(SharedStage stage, List<InstanceStage> instances, List<String> problems) {
        Agreement agreement = Agreement.of(stage, instances);
        int live = agreement.live();
        List<String> behind = agreement.behind();
        List<String> leftOut = agreement.leftOut();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("live", live);
        figures.put("agreeing", live - behind.size());
        if (!behind.isEmpty()) {
            figures.put("behind", behind);
        }
        if (!leftOut.isEmpty()) {
            figures.put("leftOut", leftOut);
        }
        Duration sinceMove = Duration.between(stage.changedAt(), Instant.now());
        Duration allowed = this.thresholds.getDisagreementThreshold();
        if (!behind.isEmpty() && sinceMove.compareTo(allowed) > 0) {
            problems.add(behind.size() + " of " + live + " live instance(s) still apply an older stage "
                    + seconds(sinceMove) + " after the move to " + stage.strategy() + " (epoch " + stage.epoch()
                    + "), longer than dual-write.health.disagreement-threshold (" + allowed + "): "
                    + String.join(", ", behind) + ". An instance applies a stage once its calls begun under the "
                    + "previous one have ended: look for calls that do not end, or stop the instance");
        }
        return figures;
    }

    // At POSTGRES_ONLY Redis is not kept: the PostgreSQL log holds the rollback log, the keys to
    // copy to Redis should the repository move back. It grows by design and is no backlog.
    private Map<String, Object> owedToRedis(SharedStage stage, List<String> problems) {
        String repository = stage.repository();
        if (stage.strategy() != WriteStrategy.POSTGRES_ONLY) {
            return repairs(repository, Store.REDIS, this.postgresRepairLog,
                    () -> this.postgresRepairLog.backlog(repository, this.inFlightGrace), problems);
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("backlog", 0L);
        try {
            figures.put("rollbackLog", this.postgresRepairLog.pendingCount(repository));
        }
        catch (RuntimeException ex) {
            figures.put("error", FailureReason.describe(ex));
        }
        return figures;
    }

    private Map<String, Object> repairs(String repository, Store owed, ClaimableRepairLog log, LongSupplier backlogCount,
            List<String> problems) {
        String store = (owed == Store.POSTGRES) ? "PostgreSQL" : "Redis";
        Map<String, Object> figures = new LinkedHashMap<>();
        try {
            long backlog = backlogCount.getAsLong();
            figures.put("backlog", backlog);
            long maxBacklog = this.thresholds.getRepairBacklogThreshold();
            if (backlog > maxBacklog) {
                problems.add(backlog + " key(s) await repair in " + store
                        + ", more than dual-write.health.repair-backlog-threshold (" + maxBacklog + "): check that "
                        + store + " is reachable and that the reconciler runs (dual-write.repair.enabled)");
            }
            // Only when there is a backlog: for the log kept in Redis the oldest record takes a scan.
            Optional<Instant> oldest = (backlog > 0) ? log.oldestRecordedAt(repository) : Optional.empty();
            if (oldest.isPresent()) {
                Duration age = Duration.between(oldest.get(), Instant.now());
                figures.put("oldestAge", seconds(age));
                Duration maxAge = this.thresholds.getRepairAgeThreshold();
                if (age.compareTo(maxAge) > 0) {
                    problems.add("the oldest key awaiting repair in " + store + " was recorded " + seconds(age)
                            + " ago, longer than dual-write.health.repair-age-threshold (" + maxAge
                            + "): check that " + store + " is reachable and that the reconciler runs");
                }
            }
        }
        catch (RuntimeException ex) {
            figures.put("error", FailureReason.describe(ex));
            problems.add("the keys awaiting repair in " + store + " cannot be counted: " + FailureReason.describe(ex));
        }
        return figures;
    }

    private static String seconds(Duration duration) {
        return duration.isNegative() ? Duration.ZERO.toString() : duration.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /**
     * What one repository's check found.
     * @param details the figures, as shown under the repository's name
     * @param problems every figure past its threshold, empty when none
     */
    record RepositoryHealth(Map<String, Object> details, List<String> problems) {
    }

}
