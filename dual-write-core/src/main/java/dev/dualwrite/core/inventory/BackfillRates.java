package dev.dualwrite.core.inventory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The last backfill rate measured for a repository, which turns an entity count into an
 * estimated backfill time.
 */
@FunctionalInterface
public interface BackfillRates {

    /** No rates: every estimate says {@value InventoryReport.BackfillEstimate#NOT_MEASURED}. */
    BackfillRates NONE = (repository) -> Optional.empty();

    /**
     * Return the last rate measured for a repository.
     * @param repository the repository name
     * @return the rate, or empty when no backfill of it has read anything yet
     * @throws RuntimeException when the rates cannot be read (the estimate then says so)
     */
    Optional<MeasuredRate> lastRate(String repository);

    /**
     * A rate and what it was measured on.
     * @param rowsPerSecond rows read per second
     * @param rows rows read
     * @param duration over how long
     * @param run the run's id
     * @param state how the run stands or ended ({@code COMPLETED}, {@code RUNNING}, ...)
     * @param mode the run's mode ({@code COPY_MISSING} or {@code CATCH_UP})
     * @param measuredAt when the figures were last updated
     * @param resumed whether the run resumed an earlier attempt's checkpoint: its rows read then
     * include that attempt's, over the last attempt's time only, so the rate is an upper bound
     */
    record MeasuredRate(double rowsPerSecond, long rows, Duration duration, String run, String state, String mode,
            Instant measuredAt, boolean resumed) {
    }

}
