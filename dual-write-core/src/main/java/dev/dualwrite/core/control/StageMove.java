package dev.dualwrite.core.control;

import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * A request to move one repository to another stage.
 * @param repository the repository name
 * @param target the stage to move to
 * @param actor who asks, as recorded in the ledger
 * @param reason why, as recorded in the ledger; required when {@code force} is set
 * @param force whether to move although a condition does not hold (a skipped stage, a failed
 * gate); the override is recorded
 */
public record StageMove(String repository, WriteStrategy target, String actor, @Nullable String reason,
        boolean force) {

    public StageMove {
        Assert.hasText(repository, "repository must not be empty");
        Assert.notNull(target, "target must not be null");
        Assert.hasText(actor, "actor must not be empty");
    }

    /**
     * Ask for a move that every condition must allow.
     * @param repository the repository name
     * @param target the stage to move to
     * @param actor who asks
     * @param reason why, or {@code null}
     * @return the request
     */
    public static StageMove of(String repository, WriteStrategy target, String actor, @Nullable String reason) {
        return new StageMove(repository, target, actor, reason, false);
    }

    /**
     * Ask for a move that overrides conditions that do not hold.
     * @param repository the repository name
     * @param target the stage to move to
     * @param actor who asks
     * @param reason why the conditions are overridden, required
     * @return the request
     */
    public static StageMove forced(String repository, WriteStrategy target, String actor, String reason) {
        return new StageMove(repository, target, actor, reason, true);
    }

}
