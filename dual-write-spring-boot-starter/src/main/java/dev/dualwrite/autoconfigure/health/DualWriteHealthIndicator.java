package dev.dualwrite.autoconfigure.health;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import dev.dualwrite.autoconfigure.health.RepositoryHealthCheck.RepositoryHealth;
import dev.dualwrite.core.repair.FailureReason;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code dualwrite} health: per paired repository, its shared stage and epoch, how many
 * live instances apply that epoch (and which do not, and which are left out), and the keys
 * awaiting repair in each store with the age of the oldest.
 * <p>
 * Status: {@code DOWN} when the shared stage cannot be read from PostgreSQL (no stage can
 * move, and instances do not see moves made elsewhere); {@link #DEGRADED} when a repair
 * backlog, the age of its oldest record, or instances applying an older stage pass the
 * {@code dual-write.health.*} thresholds, each named under {@code problems}; {@code UP}
 * otherwise. At {@code POSTGRES_ONLY} the keys written while Redis is not kept (the rollback
 * log) are shown as {@code rollbackLog} and are no backlog.
 * <p>
 * An answer is reused for {@code dual-write.health.cache-for}, so frequent probes cost one
 * read of the tables and logs per period.
 */
public final class DualWriteHealthIndicator implements HealthIndicator {

    /**
     * The status of a repository that works but needs attention. Not in Spring Boot's default
     * status order: add it to {@code management.endpoint.health.status.order} for it to count
     * in the aggregate.
     */
    public static final Status DEGRADED = new Status("DEGRADED",
            "dual-write works but a repair backlog or a disagreement between instances is past its threshold");

    private final Supplier<Collection<String>> repositories;

    private final RepositoryHealthCheck check;

    private final String instanceId;

    private final Duration cacheFor;

    private @Nullable Health cached;

    private long cachedAt;

    /**
     * @param repositories the names of the paired repositories
     * @param check reads one repository
     * @param instanceId this instance's name, shown with the answer
     * @param cacheFor how long an answer is reused
     */
    DualWriteHealthIndicator(Supplier<Collection<String>> repositories, RepositoryHealthCheck check, String instanceId,
            Duration cacheFor) {
        this.repositories = repositories;
        this.check = check;
        this.instanceId = instanceId;
        this.cacheFor = cacheFor;
    }

    // Synchronized: probes arriving together wait for one reading rather than each reading
    // the tables and logs.
    @Override
    public synchronized Health health() {
        long now = System.nanoTime();
        Health health = this.cached;
        if (health == null || now - this.cachedAt >= this.cacheFor.toNanos()) {
            health = read();
            this.cached = health;
            this.cachedAt = now;
        }
        return health;
    }

    private Health read() {
        Map<String, Object> byRepository = new LinkedHashMap<>();
        boolean degraded = false;
        for (String repository : this.repositories.get()) {
            RepositoryHealth health;
            try {
                health = this.check.check(repository);
            }
            catch (RuntimeException ex) {
                return Health.down()
                    .withDetail("instance", this.instanceId)
                    .withDetail("error", "the shared stage of repository '" + repository + "' cannot be read from "
                            + "PostgreSQL (tables dualwrite_stage, dualwrite_instance_stage): "
                            + FailureReason.describe(ex) + "; until it can, no stage can move and instances do not "
                            + "apply moves made elsewhere")
                    .build();
            }
            byRepository.put(repository, health.details());
            degraded |= !health.problems().isEmpty();
        }
        return Health.status(degraded ? DEGRADED : Status.UP)
            .withDetail("instance", this.instanceId)
            .withDetail("repositories", byRepository)
            .build();
    }

}
