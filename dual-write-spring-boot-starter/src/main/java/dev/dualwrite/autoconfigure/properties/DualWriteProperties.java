package dev.dualwrite.autoconfigure.properties;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.dualwrite.core.secondary.FailurePolicy;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for dual-write.
 */
@ConfigurationProperties("dual-write")
public class DualWriteProperties {

    /**
     * Write strategy of every repository without an override of its own, stored as its shared
     * stage on first start only; later moves go through the control plane.
     */
    private WriteStrategy strategy = WriteStrategy.REDIS_PRIMARY;

    /**
     * Per-repository settings, by repository name (the PostgreSQL table name for
     * automatically paired repositories).
     */
    private Map<String, Repository> repositories = new LinkedHashMap<>();

    private final Secondary secondary = new Secondary();

    private final Schema schema = new Schema();

    private final Shadow shadow = new Shadow();

    private final Control control = new Control();

    private final Expiry expiry = new Expiry();

    public WriteStrategy getStrategy() {
        return this.strategy;
    }

    public void setStrategy(WriteStrategy strategy) {
        this.strategy = strategy;
    }

    public Map<String, Repository> getRepositories() {
        return this.repositories;
    }

    public void setRepositories(Map<String, Repository> repositories) {
        this.repositories = repositories;
    }

    public Secondary getSecondary() {
        return this.secondary;
    }

    public Schema getSchema() {
        return this.schema;
    }

    public Shadow getShadow() {
        return this.shadow;
    }

    public Control getControl() {
        return this.control;
    }

    public Expiry getExpiry() {
        return this.expiry;
    }

    /**
     * Settings of one repository.
     */
    public static class Repository {

        /**
         * Write strategy of this repository, overriding dual-write.strategy; stored as its
         * shared stage on first start only.
         */
        private @Nullable WriteStrategy strategy;

        /**
         * Bean name of the application's Redis repository, to pair explicitly.
         */
        private @Nullable String redisRepository;

        /**
         * Bean name of the Spring Data JDBC repository, to pair explicitly.
         */
        private @Nullable String postgresRepository;

        /**
         * Share of reads (0 to 100) that stage DUAL serves from PostgreSQL, sticky per key,
         * falling back to Redis when PostgreSQL fails or misses.
         */
        private int readPercent;

        /**
         * Share of reads (0 to 100) per repository method name, overriding read-percent.
         */
        private Map<String, Integer> readPercentByMethod = new LinkedHashMap<>();

        /**
         * Share of reads (0 to 100) also read from the other store and compared, in stages
         * DUAL and POSTGRES_PRIMARY.
         */
        private int shadowReadPercent;

        private final RepositoryExpiry expiry = new RepositoryExpiry();

        public @Nullable WriteStrategy getStrategy() {
            return this.strategy;
        }

        public void setStrategy(@Nullable WriteStrategy strategy) {
            this.strategy = strategy;
        }

        public @Nullable String getRedisRepository() {
            return this.redisRepository;
        }

        public void setRedisRepository(@Nullable String redisRepository) {
            this.redisRepository = redisRepository;
        }

        public @Nullable String getPostgresRepository() {
            return this.postgresRepository;
        }

        public void setPostgresRepository(@Nullable String postgresRepository) {
            this.postgresRepository = postgresRepository;
        }

        public int getReadPercent() {
            return this.readPercent;
        }

        public void setReadPercent(int readPercent) {
            this.readPercent = readPercent;
        }

        public Map<String, Integer> getReadPercentByMethod() {
            return this.readPercentByMethod;
        }

        public void setReadPercentByMethod(Map<String, Integer> readPercentByMethod) {
            this.readPercentByMethod = readPercentByMethod;
        }

        public int getShadowReadPercent() {
            return this.shadowReadPercent;
        }

        public RepositoryExpiry getExpiry() {
            return this.expiry;
        }

        public void setShadowReadPercent(int shadowReadPercent) {
            this.shadowReadPercent = shadowReadPercent;
        }

    }

    /**
     * Protection of the secondary store.
     */
    public static class Secondary {

        /**
         * What a failed secondary write does to the caller once recorded for repair:
         * LENIENT succeeds, STRICT throws.
         */
        private FailurePolicy failurePolicy = FailurePolicy.LENIENT;

        /**
         * Time limit of one secondary write; past it the caller goes on, the key is recorded
         * for repair and the write is ended (interrupted, its PostgreSQL connection aborted
         * if need be), whatever the store client's own timeouts. Repairs run within it too,
         * unless called inside a transaction of the caller's.
         */
        private Duration timeout = Duration.ofSeconds(2);

        /**
         * Number of threads that run secondary writes, each holding a PostgreSQL connection
         * while it runs. Defaults to half the maximum pool size of a Hikari DataSource (at
         * least 1), otherwise 5, so that hung secondary writes and the reconciler leave
         * connections to the primary writes.
         */
        private @Nullable Integer poolSize;

        /**
         * Number of secondary writes that may wait for a thread before further ones are
         * recorded for repair without being tried.
         */
        private int queueCapacity = 1000;

        private final CircuitBreaker circuitBreaker = new CircuitBreaker();

        public FailurePolicy getFailurePolicy() {
            return this.failurePolicy;
        }

        public void setFailurePolicy(FailurePolicy failurePolicy) {
            this.failurePolicy = failurePolicy;
        }

        public Duration getTimeout() {
            return this.timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public @Nullable Integer getPoolSize() {
            return this.poolSize;
        }

        public void setPoolSize(@Nullable Integer poolSize) {
            this.poolSize = poolSize;
        }

        public int getQueueCapacity() {
            return this.queueCapacity;
        }

        public void setQueueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
        }

        public CircuitBreaker getCircuitBreaker() {
            return this.circuitBreaker;
        }

    }

    /**
     * Circuit breaker in front of each secondary store.
     */
    public static class CircuitBreaker {

        /**
         * Percentage of failed or timed-out calls in the sliding window at which the
         * breaker opens.
         */
        private float failureRateThreshold = 50;

        /**
         * Number of most recent calls the failure rate is computed over.
         */
        private int slidingWindowSize = 20;

        /**
         * Minimum number of calls in the window before the failure rate is evaluated.
         */
        private int minimumNumberOfCalls = 10;

        /**
         * How long the breaker stays open before letting trial calls through.
         */
        private Duration waitDurationInOpenState = Duration.ofSeconds(10);

        /**
         * Number of trial calls let through when half open.
         */
        private int permittedNumberOfCallsInHalfOpenState = 3;

        public float getFailureRateThreshold() {
            return this.failureRateThreshold;
        }

        public void setFailureRateThreshold(float failureRateThreshold) {
            this.failureRateThreshold = failureRateThreshold;
        }

        public int getSlidingWindowSize() {
            return this.slidingWindowSize;
        }

        public void setSlidingWindowSize(int slidingWindowSize) {
            this.slidingWindowSize = slidingWindowSize;
        }

        public int getMinimumNumberOfCalls() {
            return this.minimumNumberOfCalls;
        }

        public void setMinimumNumberOfCalls(int minimumNumberOfCalls) {
            this.minimumNumberOfCalls = minimumNumberOfCalls;
        }

        public Duration getWaitDurationInOpenState() {
            return this.waitDurationInOpenState;
        }

        public void setWaitDurationInOpenState(Duration waitDurationInOpenState) {
            this.waitDurationInOpenState = waitDurationInOpenState;
        }

        public int getPermittedNumberOfCallsInHalfOpenState() {
            return this.permittedNumberOfCallsInHalfOpenState;
        }

        public void setPermittedNumberOfCallsInHalfOpenState(int permittedNumberOfCallsInHalfOpenState) {
            this.permittedNumberOfCallsInHalfOpenState = permittedNumberOfCallsInHalfOpenState;
        }

    }

    /**
     * Shadow reads: comparisons of a read's answer with the other store's.
     */
    public static class Shadow {

        /**
         * Number of threads that run shadow reads.
         */
        private int poolSize = 2;

        /**
         * Number of shadow reads that may wait for a thread; further ones are dropped and
         * counted, so shadow reads never slow callers down.
         */
        private int queueCapacity = 200;

        /**
         * Number of recent mismatches kept per repository for the actuator endpoint.
         */
        private int mismatchSampleSize = 50;

        public int getPoolSize() {
            return this.poolSize;
        }

        public void setPoolSize(int poolSize) {
            this.poolSize = poolSize;
        }

        public int getQueueCapacity() {
            return this.queueCapacity;
        }

        public void setQueueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
        }

        public int getMismatchSampleSize() {
            return this.mismatchSampleSize;
        }

        public void setMismatchSampleSize(int mismatchSampleSize) {
            this.mismatchSampleSize = mismatchSampleSize;
        }

    }

    /**
     * The library's own tables (repair records).
     */
    public static class Schema {

        /**
         * Whether to create and upgrade the library's tables at startup with Flyway
         * (own location and history table; the application's migrations are untouched).
         */
        private boolean migrate = true;

        /**
         * Flyway history table of the library's migrations.
         */
        private String historyTable = "dualwrite_schema_history";

        public boolean isMigrate() {
            return this.migrate;
        }

        public void setMigrate(boolean migrate) {
            this.migrate = migrate;
        }

        public String getHistoryTable() {
            return this.historyTable;
        }

        public void setHistoryTable(String historyTable) {
            this.historyTable = historyTable;
        }

    }


    /**
     * Sharing of stages between instances.
     */
    public static class Control {

        /**
         * Name of this instance in heartbeats and repair claims; defaults to the host name and
         * a random suffix.
         */
        private @Nullable String instanceId;

        /**
         * How often each instance reads the shared stages, which bounds how long it takes to
         * apply a move made on another instance.
         */
        private Duration pollInterval = Duration.ofSeconds(1);

        /**
         * How often each instance reports the stages it applies when nothing changed.
         */
        private Duration heartbeatInterval = Duration.ofSeconds(5);

        /**
         * Time after its last heartbeat when an instance is left out of the agreement a stage
         * move needs.
         */
        private Duration instanceTimeout = Duration.ofSeconds(30);

        /**
         * Age below which an outbox record of a write in flight does not count as a repair
         * backlog; longer than dual-write.secondary.timeout.
         */
        private Duration inFlightGrace = Duration.ofSeconds(10);

        /**
         * How long a move made on this instance waits for this instance's writes begun under
         * the previous stage.
         */
        private Duration drainTimeout = Duration.ofSeconds(10);

        /**
         * Time after which a background round of reading the shared stages and reporting
         * this instance's is ended and its PostgreSQL connection aborted, so that a PostgreSQL
         * gone silent cannot hold it; shorter than the instance timeout. Defaults to a third
         * of the instance timeout.
         */
        private @Nullable Duration pollTimeout;

        public @Nullable String getInstanceId() {
            return this.instanceId;
        }

        public void setInstanceId(@Nullable String instanceId) {
            this.instanceId = instanceId;
        }

        public Duration getPollInterval() {
            return this.pollInterval;
        }

        public void setPollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
        }

        public Duration getHeartbeatInterval() {
            return this.heartbeatInterval;
        }

        public void setHeartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
        }

        public Duration getInstanceTimeout() {
            return this.instanceTimeout;
        }

        public void setInstanceTimeout(Duration instanceTimeout) {
            this.instanceTimeout = instanceTimeout;
        }

        public Duration getInFlightGrace() {
            return this.inFlightGrace;
        }

        public void setInFlightGrace(Duration inFlightGrace) {
            this.inFlightGrace = inFlightGrace;
        }

        public Duration getDrainTimeout() {
            return this.drainTimeout;
        }

        public void setDrainTimeout(Duration drainTimeout) {
            this.drainTimeout = drainTimeout;
        }

        public @Nullable Duration getPollTimeout() {
            return this.pollTimeout;
        }

        public void setPollTimeout(@Nullable Duration pollTimeout) {
            this.pollTimeout = pollTimeout;
        }

    }

    /**
     * Key expiry of one repository.
     */
    public static class RepositoryExpiry {

        /**
         * Property of the PostgreSQL entity (an Instant or OffsetDateTime mapped to a
         * timestamptz column) that carries the Redis key's expiry; without it (nor a property
         * annotated with @ExpiresAt) expiries are not carried and expiring keys become
         * permanent rows.
         */
        private @Nullable String property;

        /**
         * How far apart a key's expiry in Redis and in PostgreSQL may be for the verifier and
         * the catch-up backfill to count them as equal.
         */
        private Duration tolerance = Duration.ofSeconds(1);

        public @Nullable String getProperty() {
            return this.property;
        }

        public void setProperty(@Nullable String property) {
            this.property = property;
        }

        public Duration getTolerance() {
            return this.tolerance;
        }

        public void setTolerance(Duration tolerance) {
            this.tolerance = tolerance;
        }

    }

    /**
     * Key expiry settings shared by every repository.
     */
    public static class Expiry {

        private final Sweep sweep = new Sweep();

        public Sweep getSweep() {
            return this.sweep;
        }

    }

    /**
     * Background deletion of expired rows.
     */
    public static class Sweep {

        /**
         * Whether to delete expired rows in the background (reads hide them either way).
         */
        private boolean enabled = true;

        /**
         * Time between two sweeps of every repository with an expiry property.
         */
        private Duration interval = Duration.ofMinutes(1);

        /**
         * Most rows one delete statement removes; a sweep repeats it until fewer are found.
         */
        private int batchSize = 500;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return this.interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public int getBatchSize() {
            return this.batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }

    }

}
