package dev.dualwrite.core.repair;

import java.util.List;

import dev.dualwrite.core.strategy.Store;

/**
 * Durable storage of {@link RepairRecord repair records}, kept in the store that is
 * <em>not</em> the one needing repair, so a record can be written exactly when that store
 * is failing.
 */
public interface RepairLog {

    /**
     * Record that a write of {@code key} to {@code target} failed. Recording the same key
     * again updates its reason and counts the attempt.
     * @param repository the repository name
     * @param key the entity key
     * @param target the store that may now be behind
     * @param reason why, without any entity value
     */
    void recordFailure(String repository, String key, Store target, String reason);

    /**
     * Return how many keys of a repository await repair.
     * @param repository the repository name
     * @return the number of pending records
     */
    long pendingCount(String repository);

    /**
     * Return up to {@code limit} pending records of a repository, oldest first where the
     * log keeps an order.
     * @param repository the repository name
     * @param limit the maximum number of records
     * @return the records
     */
    List<RepairRecord> pending(String repository, int limit);

}
