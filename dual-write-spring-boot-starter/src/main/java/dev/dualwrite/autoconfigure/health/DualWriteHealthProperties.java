package dev.dualwrite.autoconfigure.health;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the {@code dualwrite} health indicator: when it turns from
 * {@code UP} to {@code DEGRADED}.
 */
@ConfigurationProperties("dual-write.health")
public class DualWriteHealthProperties {

    /**
     * Number of keys awaiting repair in one store above which the health is DEGRADED.
     */
    private long repairBacklogThreshold = 1000;

    /**
     * Age of the oldest repair record of one store above which the health is DEGRADED.
     */
    private Duration repairAgeThreshold = Duration.ofMinutes(10);

    /**
     * How long after a move live instances may still apply the previous stage before the
     * health is DEGRADED.
     */
    private Duration disagreementThreshold = Duration.ofMinutes(1);

    /**
     * How long a health answer is reused before the shared tables and repair logs are read
     * again.
     */
    private Duration cacheFor = Duration.ofSeconds(10);

    public long getRepairBacklogThreshold() {
        return this.repairBacklogThreshold;
    }

    public void setRepairBacklogThreshold(long repairBacklogThreshold) {
        this.repairBacklogThreshold = repairBacklogThreshold;
    }

    public Duration getRepairAgeThreshold() {
        return this.repairAgeThreshold;
    }

    public void setRepairAgeThreshold(Duration repairAgeThreshold) {
        this.repairAgeThreshold = repairAgeThreshold;
    }

    public Duration getDisagreementThreshold() {
        return this.disagreementThreshold;
    }

    public void setDisagreementThreshold(Duration disagreementThreshold) {
        this.disagreementThreshold = disagreementThreshold;
    }

    public Duration getCacheFor() {
        return this.cacheFor;
    }

    public void setCacheFor(Duration cacheFor) {
        this.cacheFor = cacheFor;
    }

}
