package dev.dualwrite.core.repair;

import org.springframework.util.Assert;

/**
 * A repair record that one reconciler instance has claimed for a while (a lease), so that no
 * other instance repairs the same key at the same time.
 * @param record the record as it was when claimed
 * @param owner the instance that holds the claim
 * @param repairFailures how often repairing this key failed before (drives the backoff)
 * @param version what the record looked like when claimed; completing the claim removes the
 * record only if it still looks like this, so a key recorded again meanwhile is not forgotten
 */
public record RepairClaim(RepairRecord record, String owner, int repairFailures, String version) {

    public RepairClaim {
        Assert.notNull(record, "record must not be null");
        Assert.hasText(owner, "owner must not be empty");
        Assert.notNull(version, "version must not be null");
    }

    /**
     * Return the claimed key.
     * @return the entity key
     */
    public String key() {
        return this.record.key();
    }

}
