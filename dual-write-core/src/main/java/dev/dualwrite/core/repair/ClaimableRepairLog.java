package dev.dualwrite.core.repair;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A {@link RepairLog} that several reconciler instances can drain together: records are
 * claimed for a lease (no key repaired by two instances at once), removed only if they were
 * not recorded again since they were claimed (none forgotten), and released with a backoff
 * when their repair failed.
 */
public interface ClaimableRepairLog extends RepairLog {

    /**
     * Claim up to {@code limit} records of a repository that nobody holds and whose backoff is
     * over, oldest first where the log keeps an order.
     * @param repository the repository name
     * @param owner the claiming instance
     * @param limit the maximum number of records
     * @param lease how long the claims hold if the owner neither completes nor releases them
     * @param minAge records younger than this are left alone (the live write path usually
     * settles them itself a moment later)
     * @return the claims
     */
    List<RepairClaim> claim(String repository, String owner, int limit, Duration lease, Duration minAge);

    /**
     * Finish a claim after the key was repaired: remove the record if it is still the one that
     * was claimed, otherwise only drop the claim so the newer record is repaired again.
     * @param claim the claim
     * @return whether the record was removed
     */
    boolean complete(RepairClaim claim);

    /**
     * Give a claim back after its repair failed; the record is claimable again after
     * {@code backoff} and counts one more repair failure.
     * @param claim the claim
     * @param backoff how long nobody should try the key again
     */
    void release(RepairClaim claim, Duration backoff);

    /**
     * Return when the oldest pending record of a repository was first recorded.
     * @param repository the repository name
     * @return the time, or empty when nothing is pending
     */
    Optional<Instant> oldestRecordedAt(String repository);

}
