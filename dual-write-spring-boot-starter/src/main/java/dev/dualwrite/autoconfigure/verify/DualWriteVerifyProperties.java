package dev.dualwrite.autoconfigure.verify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.dualwrite.core.verify.VerifyMode;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the verifier.
 */
@ConfigurationProperties("dual-write.verify")
public class DualWriteVerifyProperties {

    /**
     * Repositories to verify once at startup (a one-shot run, for a pipeline gate); the exit
     * code is 0 when every one agrees, 1 otherwise. "all" verifies every paired repository.
     */
    private List<String> run = new ArrayList<>();

    /**
     * Whether a one-shot run stops the application when done, exiting with its code.
     */
    private boolean exit = true;

    /**
     * What a one-shot run compares: FULL, SAMPLED or COUNTS_ONLY.
     */
    private VerifyMode mode = VerifyMode.FULL;

    /**
     * Share of keys a sampled verification compares, from 0 to 100.
     */
    private double samplePercent = 1;

    /**
     * Number of keys a sampled verification compares; when set, wins over sample-percent.
     */
    private long sampleCount;

    /**
     * Whether reports carry the differing values, which may hold personal data.
     */
    private boolean includeValues;

    /**
     * Keys read per batch from each store.
     */
    private int batchSize = 500;

    /**
     * Most differences listed in a report; all are counted.
     */
    private int maxDifferences = 100_000;

    /**
     * How long a difference must persist before it is reported (writes in flight are not).
     */
    private Duration settleDelay = Duration.ofMillis(200);

    /**
     * Number of finished verifications whose reports the actuator endpoint keeps.
     */
    private int keepReports = 10;

    private final Background background = new Background();

    public List<String> getRun() {
        return this.run;
    }

    public void setRun(List<String> run) {
        this.run = run;
    }

    public boolean isExit() {
        return this.exit;
    }

    public void setExit(boolean exit) {
        this.exit = exit;
    }

    public VerifyMode getMode() {
        return this.mode;
    }

    public void setMode(VerifyMode mode) {
        this.mode = mode;
    }

    public double getSamplePercent() {
        return this.samplePercent;
    }

    public void setSamplePercent(double samplePercent) {
        this.samplePercent = samplePercent;
    }

    public long getSampleCount() {
        return this.sampleCount;
    }

    public void setSampleCount(long sampleCount) {
        this.sampleCount = sampleCount;
    }

    public boolean isIncludeValues() {
        return this.includeValues;
    }

    public void setIncludeValues(boolean includeValues) {
        this.includeValues = includeValues;
    }

    public int getBatchSize() {
        return this.batchSize;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public int getMaxDifferences() {
        return this.maxDifferences;
    }

    public void setMaxDifferences(int maxDifferences) {
        this.maxDifferences = maxDifferences;
    }

    public Duration getSettleDelay() {
        return this.settleDelay;
    }

    public void setSettleDelay(Duration settleDelay) {
        this.settleDelay = settleDelay;
    }

    public int getKeepReports() {
        return this.keepReports;
    }

    public void setKeepReports(int keepReports) {
        this.keepReports = keepReports;
    }

    public Background getBackground() {
        return this.background;
    }

    /**
     * The background verification: full passes over every repository whose stage keeps both
     * stores, one instance at a time, throttled.
     */
    public static class Background {

        /**
         * Whether to verify every repository whose stage keeps both stores in the background,
         * pass after pass.
         */
        private boolean enabled;

        /**
         * Most keys and rows a pass reads per second from both stores together; 0 for no
         * limit.
         */
        private double rate = 500;

        /**
         * Keys read per batch from each store by a pass.
         */
        private int batchSize = 100;

        /**
         * Time from the end of a pass of a repository to the start of the next, on
         * whichever instance.
         */
        private Duration pause = Duration.ofMinutes(10);

        /**
         * Time an instance holds a repository's pass without renewing it; another instance
         * takes the pass over once it lapses.
         */
        private Duration lease = Duration.ofMinutes(1);

        /**
         * Whether each difference a completed pass confirms is queued for the reconciler,
         * which copies it from the store that holds the key's newest state.
         */
        private boolean repairDifferences;

        /**
         * Most differences a pass lists (and queues for repair); all are counted.
         */
        private int maxDifferences = 1000;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public double getRate() {
            return this.rate;
        }

        public void setRate(double rate) {
            this.rate = rate;
        }

        public int getBatchSize() {
            return this.batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }

        public Duration getPause() {
            return this.pause;
        }

        public void setPause(Duration pause) {
            this.pause = pause;
        }

        public Duration getLease() {
            return this.lease;
        }

        public void setLease(Duration lease) {
            this.lease = lease;
        }

        public boolean isRepairDifferences() {
            return this.repairDifferences;
        }

        public void setRepairDifferences(boolean repairDifferences) {
            this.repairDifferences = repairDifferences;
        }

        public int getMaxDifferences() {
            return this.maxDifferences;
        }

        public void setMaxDifferences(int maxDifferences) {
            this.maxDifferences = maxDifferences;
        }

    }

}
