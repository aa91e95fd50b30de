package dev.dualwrite.core.repair;

import java.time.Duration;

/**
 * The repair log kept in the old store (Redis, or the database a JDBC old store lives in):
 * keys whose PostgreSQL copy may be behind (stage {@code DUAL}), and the write intents that
 * cover the crash window between a write to the old store and its copy to PostgreSQL.
 * <p>
 * The log lives in the store that was written, so it can be written exactly when PostgreSQL
 * is failing. Its protocol, which every implementation keeps:
 * <ul>
 * <li>{@link #openIntent} is durable before the old store is written, and each call returns
 * a token of its own, so a write that finishes removes its own intent and never that of a
 * concurrent write of the same key;</li>
 * <li>intents age by the store's clock, never a writer's, so writers and reconcilers on
 * hosts with skewed clocks agree on which intents are old;</li>
 * <li>{@link #claim} first turns intents older than the interrupted-write grace into records
 * ({@link #recordInterruptedWrites}), so the reconciler needs to know nothing about intents;</li>
 * <li>a record the key already has keeps its first time and counts one attempt more, so a
 * claim of it taken before is not completed ({@link #complete} compares and deletes).</li>
 * </ul>
 * The library's published contract test,
 * {@code dev.dualwrite.testsupport.contract.AbstractOldStoreRepairLogContractTests} in
 * {@code dual-write-core}'s test jar, proves an implementation keeps it.
 */
public interface OldStoreRepairLog extends ClaimableRepairLog {

    /**
     * Durably note, before the old store is written, that the key's PostgreSQL copy is about
     * to be owed. Until {@link #closeIntent} removes it, the intent turns into a record once it
     * is older than the interrupted-write grace.
     * @param repository the repository name
     * @param key the entity key
     * @return a token unique to this write, to pass to {@link #closeIntent} or
     * {@link #recordAndCloseIntent}
     */
    String openIntent(String repository, String key);

    /**
     * Remove one write's intent once its copy to PostgreSQL ran or its failure was recorded;
     * intents of other writes of the same key stay. Removing an intent that is gone (for
     * example already promoted) does nothing.
     * @param repository the repository name
     * @param intent what {@link #openIntent} returned
     */
    void closeIntent(String repository, String intent);

    /**
     * Record the key for repair and remove one write's intent of it, in one atomic step: for a
     * write whose copy may be overtaken by a write nobody records. A record the key already
     * has keeps its reason and first time, and counts one attempt more.
     * @param repository the repository name
     * @param intent what {@link #openIntent} returned
     * @param key the entity key
     * @param reason why, when the key has no record yet; without any entity value
     */
    void recordAndCloseIntent(String repository, String intent, String key, String reason);

    /**
     * Turn the intents older than the interrupted-write grace, by the store's clock, into
     * records whose times are the intents' times; an intent removed meanwhile by its finishing
     * write is never promoted. {@link #claim} calls it before it claims.
     * @param repository the repository name
     * @return how many intents became records
     */
    int recordInterruptedWrites(String repository);

    /**
     * Return how many keys of a repository PostgreSQL may be behind on: the records plus the
     * intents older than {@code inFlight} by the store's clock (younger ones are writes still
     * in flight). The count the stage gates and the health use.
     * @param repository the repository name
     * @param inFlight age below which an intent is taken for a write still in flight
     * @return records plus intents older than {@code inFlight}
     */
    long backlog(String repository, Duration inFlight);

    /**
     * Return whether the key has a record: whether its PostgreSQL copy may miss a write made
     * with the old store as primary, so the old store holds the newest state.
     * @param repository the repository name
     * @param key the entity key
     * @return whether a record of the key exists
     */
    boolean isOpen(String repository, String key);

    /**
     * Like {@link #openIntent}, for a write that joins a transaction of the caller's on the old
     * store: the intent is written in that transaction, so that it exists exactly when the write
     * commits (a rollback takes both away), and it cannot be taken for an interrupted write while
     * the transaction runs. A log kept outside the old store's transactions (Redis) opens it as
     * {@link #openIntent} does.
     * @param repository the repository name
     * @param key the entity key
     * @return a token unique to this write
     */
    default String openIntentInCallersTransaction(String repository, String key) {
        return openIntent(repository, key);
    }

    /**
     * Return the log that holds a repository's records and intents: this one, unless this
     * log routes repositories to others ({@link RoutingOldStoreRepairLog}).
     * @param repository the repository name
     * @return the log that keeps the repository's records
     */
    default OldStoreRepairLog logOf(String repository) {
        return this;
    }

}
