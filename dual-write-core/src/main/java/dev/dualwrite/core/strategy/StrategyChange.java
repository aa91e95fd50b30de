package dev.dualwrite.core.strategy;

import java.time.Instant;

/**
 * A strategy change that was applied to one repository.
 * @param repository the repository name
 * @param from the strategy before the change
 * @param to the strategy after the change
 * @param forced whether the move skipped a stage because it was forced
 * @param at when the change was applied
 */
public record StrategyChange(String repository, WriteStrategy from, WriteStrategy to, boolean forced, Instant at) {
}
