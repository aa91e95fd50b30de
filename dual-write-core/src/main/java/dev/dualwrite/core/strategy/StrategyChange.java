package dev.dualwrite.core.strategy;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A strategy change that was applied to one repository.
 * @param repository the repository name
 * @param from the strategy before the change
 * @param to the strategy after the change
 * @param forced whether a condition that did not hold was overridden (a skipped stage, a
 * failed gate)
 * @param at when the change was applied
 * @param epoch the number of the stage now in force, one more than before the change; 0 where
 * stages are not shared
 * @param by who made the change
 * @param reason why, as given by whoever made the change
 * @param gates the conditions checked, with what they saw
 */
public record StrategyChange(String repository, WriteStrategy from, WriteStrategy to, boolean forced, Instant at,
        long epoch, String by, @Nullable String reason, List<GateCheck> gates) {

    public StrategyChange {
        gates = List.copyOf(gates);
    }

}
