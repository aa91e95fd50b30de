package dev.dualwrite.core.control;

import java.time.Instant;

import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;

/**
 * The stage of one repository as stored for every instance.
 * @param repository the repository name
 * @param strategy the stage
 * @param epoch how many times the stage was set, counting the first: an instance that applies
 * this epoch applies this stage
 * @param changedAt when it was set, by the database's clock
 * @param changedBy who set it
 * @param reason why, as given
 */
public record SharedStage(String repository, WriteStrategy strategy, long epoch, Instant changedAt, String changedBy,
        @Nullable String reason) {
}
