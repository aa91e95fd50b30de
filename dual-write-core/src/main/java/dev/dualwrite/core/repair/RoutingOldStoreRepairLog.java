package dev.dualwrite.core.repair;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.dualwrite.core.strategy.Store;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * The repair log of an application whose repositories have old stores of different kinds:
 * each repository's records and intents live in the log of its own old store (Redis for a
 * Redis repository, the old database for a JDBC one), so that they can be written exactly when
 * PostgreSQL is failing. Every call goes to the log {@link #route routed} for its repository;
 * a repository routed nowhere uses the default log.
 * <p>
 * A repository is routed once, before its first write: routing it again to another log is
 * refused, since records already kept in the first would no longer be seen.
 */
public final class RoutingOldStoreRepairLog implements OldStoreRepairLog {

    private final @Nullable OldStoreRepairLog defaultLog;

    private final Map<String, OldStoreRepairLog> routes = new ConcurrentHashMap<>();

    /**
     * @param defaultLog the log of repositories routed nowhere; {@code null} when every
     * repository is routed (an application without Redis)
     */
    public RoutingOldStoreRepairLog(@Nullable OldStoreRepairLog defaultLog) {
        this.defaultLog = defaultLog;
    }

    /**
     * Keep a repository's records and intents in the given log from now on.
     * @param repository the repository name
     * @param log the log of its old store
     * @throws IllegalStateException when the repository is already routed to another log
     */
    public void route(String repository, OldStoreRepairLog log) {
        Assert.notNull(log, "log must not be null");
        OldStoreRepairLog routed = this.routes.putIfAbsent(repository, log);
        if (routed != null && routed != log) {
            throw new IllegalStateException("the repair records of repository '" + repository + "' are already kept in "
                    + routed + "; they cannot move to " + log);
        }
    }

    /**
     * {@inheritDoc}
     * @throws IllegalStateException when the repository is routed nowhere and there is no
     * default log
     */
    @Override
    public OldStoreRepairLog logOf(String repository) {
        OldStoreRepairLog log = this.routes.get(repository);
        if (log != null) {
            return log;
        }
        if (this.defaultLog == null) {
            throw new IllegalStateException("no repair log keeps the records of repository '" + repository
                    + "': it is routed to none, and there is no default (no Redis)");
        }
        return this.defaultLog;
    }

    @Override
    public String openIntent(String repository, String key) {
        return logOf(repository).openIntent(repository, key);
    }

    @Override
    public String openIntentInCallersTransaction(String repository, String key) {
        return logOf(repository).openIntentInCallersTransaction(repository, key);
    }

    @Override
    public void closeIntent(String repository, String intent) {
        logOf(repository).closeIntent(repository, intent);
    }

    @Override
    public void recordAndCloseIntent(String repository, String intent, String key, String reason) {
        logOf(repository).recordAndCloseIntent(repository, intent, key, reason);
    }

    @Override
    public int recordInterruptedWrites(String repository) {
        return logOf(repository).recordInterruptedWrites(repository);
    }

    @Override
    public long backlog(String repository, Duration inFlight) {
        return logOf(repository).backlog(repository, inFlight);
    }

    @Override
    public boolean isOpen(String repository, String key) {
        return logOf(repository).isOpen(repository, key);
    }

    @Override
    public List<RepairClaim> claim(String repository, String owner, int limit, Duration lease, Duration minAge) {
        return logOf(repository).claim(repository, owner, limit, lease, minAge);
    }

    @Override
    public boolean complete(RepairClaim claim) {
        return logOf(claim.record().repository()).complete(claim);
    }

    @Override
    public void release(RepairClaim claim, Duration backoff) {
        logOf(claim.record().repository()).release(claim, backoff);
    }

    @Override
    public Optional<Instant> oldestRecordedAt(String repository) {
        return logOf(repository).oldestRecordedAt(repository);
    }

    @Override
    public void recordFailure(String repository, String key, Store target, String reason) {
        logOf(repository).recordFailure(repository, key, target, reason);
    }

    @Override
    public long pendingCount(String repository) {
        return logOf(repository).pendingCount(repository);
    }

    @Override
    public List<RepairRecord> pending(String repository, int limit) {
        return logOf(repository).pending(repository, limit);
    }

    @Override
    public String toString() {
        return "repair logs by repository " + this.routes + ", default " + this.defaultLog;
    }

}
