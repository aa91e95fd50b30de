package dev.dualwrite.autoconfigure.inventory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.dualwrite.core.inventory.InventorySettings;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the inventory of the old store.
 */
@ConfigurationProperties("dual-write.inventory")
public class DualWriteInventoryProperties {

    /**
     * Repositories to take stock of once at startup (a one-shot run that prints the report);
     * "all" for every paired repository.
     */
    private List<String> run = new ArrayList<>();

    /**
     * Whether a one-shot run stops the application when done, exiting with 0 (report printed)
     * or 1 (the inventory failed).
     */
    private boolean exit = true;

    /**
     * Glob (SCAN MATCH syntax) of the Redis keys to look at; keys outside it are neither
     * counted nor reported as keys of no repository.
     */
    private String match = "*";

    /**
     * Keys gathered per page before they are inspected.
     */
    private int pageSize = 500;

    /**
     * COUNT hint of each SCAN call.
     */
    private int scanCount = 500;

    /**
     * Keys whose TYPE, PTTL and MEMORY USAGE are in flight at once.
     */
    private int pipelineDepth = 64;

    /**
     * Most keys inspected per second (each costs TYPE, PTTL and, for sampled keys, MEMORY
     * USAGE): 5,000 by default, about 3 minutes per million keys; 0 for no limit, which lets a
     * scan run as fast as Redis answers.
     */
    private double rateLimit = 5000;

    /**
     * Keys per key pattern whose memory is measured with MEMORY USAGE; the pattern's total is
     * extrapolated from them.
     */
    private int memorySampleKeys = 200;

    /**
     * SAMPLES argument of MEMORY USAGE: nested values Redis looks at to estimate a hash, set or
     * sorted set; 0 for all of them (exact, slow on big values).
     */
    private int memorySamples = 5;

    /**
     * Keys of no repository quoted in the report as examples (names only, never values).
     */
    private int unmatchedExamples = 10;

    /**
     * Time limit of one Redis command, or of one statement to a JDBC source (rounded up to whole
     * seconds).
     */
    private Duration timeout = Duration.ofSeconds(10);

    // Literal defaults above, so that the configuration metadata shows them; equal to
    // InventorySettings.DEFAULTS (a test says so).
    InventorySettings toSettings() {
        return new InventorySettings(this.match, this.pageSize, this.scanCount, this.pipelineDepth, this.rateLimit,
                this.memorySampleKeys, this.memorySamples, this.unmatchedExamples, this.timeout);
    }

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

    public String getMatch() {
        return this.match;
    }

    public void setMatch(String match) {
        this.match = match;
    }

    public int getPageSize() {
        return this.pageSize;
    }

    public void setPageSize(int pageSize) {
        this.pageSize = pageSize;
    }

    public int getScanCount() {
        return this.scanCount;
    }

    public void setScanCount(int scanCount) {
        this.scanCount = scanCount;
    }

    public int getPipelineDepth() {
        return this.pipelineDepth;
    }

    public void setPipelineDepth(int pipelineDepth) {
        this.pipelineDepth = pipelineDepth;
    }

    public double getRateLimit() {
        return this.rateLimit;
    }

    public void setRateLimit(double rateLimit) {
        this.rateLimit = rateLimit;
    }

    public int getMemorySampleKeys() {
        return this.memorySampleKeys;
    }

    public void setMemorySampleKeys(int memorySampleKeys) {
        this.memorySampleKeys = memorySampleKeys;
    }

    public int getMemorySamples() {
        return this.memorySamples;
    }

    public void setMemorySamples(int memorySamples) {
        this.memorySamples = memorySamples;
    }

    public int getUnmatchedExamples() {
        return this.unmatchedExamples;
    }

    public void setUnmatchedExamples(int unmatchedExamples) {
        this.unmatchedExamples = unmatchedExamples;
    }

    public Duration getTimeout() {
        return this.timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

}
