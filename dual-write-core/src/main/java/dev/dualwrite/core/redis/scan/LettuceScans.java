package dev.dualwrite.core.redis.scan;

import dev.dualwrite.core.store.scan.ScanSettings;
import io.lettuce.core.ScanArgs;

/**
 * The Lettuce arguments of a scan's settings, kept here so that the store-neutral
 * {@link ScanSettings} does not depend on Lettuce.
 */
final class LettuceScans {

    private LettuceScans() {
    }

    /**
     * Return the arguments of one {@code SCAN} or {@code SSCAN} call: the pattern, and the
     * {@code COUNT} hint, never above the batch size.
     * @param settings the limits of the scan
     * @param match the {@code MATCH} pattern
     * @return the arguments
     */
    static ScanArgs args(ScanSettings settings, String match) {
        return ScanArgs.Builder.matches(match).limit(Math.min(settings.scanCount(), settings.batchSize()));
    }

}
