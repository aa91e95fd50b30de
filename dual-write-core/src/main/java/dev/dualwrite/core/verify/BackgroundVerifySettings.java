package dev.dualwrite.core.verify;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * How the {@link BackgroundVerifier} walks each repository.
 * @param options how each pass compares (its mode is always {@link VerifyMode#FULL}): the
 * batch size is the bucket of keys read at a time, the most differences listed bounds each
 * pass's report, and the settle delay applies as in any verification
 * @param rate most keys and rows read per second from both stores together (zero: no limit)
 * @param pause time from the end of one pass of a repository to the start of the next, on
 * whichever instance
 * @param lease time an instance holds a repository's pass without renewing it; another
 * instance takes the pass over once it lapses
 * @param repairDifferences whether each difference a completed pass confirms is queued for
 * the reconciler
 * @param instanceId this instance's name, as the lease and the ledger show it
 */
public record BackgroundVerifySettings(VerifyOptions options, double rate, Duration pause, Duration lease,
        boolean repairDifferences, String instanceId) {

    public BackgroundVerifySettings {
        Assert.notNull(options, "options must not be null");
        Assert.isTrue(rate >= 0, "rate must not be negative");
        Assert.isTrue(pause != null && !pause.isNegative(), "pause must not be negative");
        Assert.isTrue(lease != null && lease.toMillis() >= 1000, "lease must be at least 1 second");
        Assert.hasText(instanceId, "instanceId must not be empty");
        options = options.withMode(VerifyMode.FULL);
    }

}
