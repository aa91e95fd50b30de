package dev.dualwrite.core.strategy;

/**
 * Where the effective {@link WriteStrategy} of each repository comes from.
 * <p>
 * Consulted on every repository call, so implementations must answer from memory. The
 * default keeps the configured strategies in memory and accepts runtime changes; a shared
 * source lets several instances agree on one strategy.
 */
public interface StrategySource {

    /**
     * Return the strategy currently in force for a repository.
     * @param repository the repository name
     * @return the strategy, never {@code null}
     */
    WriteStrategy strategyFor(String repository);

    /**
     * Return a repository's newest strategy, as stored for every instance: ahead of
     * {@link #strategyFor} for a moment after a move made on another instance. Repairs decide
     * by it which of two adjacent stages wrote last. May read a shared store: not for every
     * call.
     * @param repository the repository name
     * @return the strategy, never {@code null}
     */
    default WriteStrategy newestStrategyFor(String repository) {
        return strategyFor(repository);
    }

    /**
     * Return whether every live instance applies the repository's stage in force here, so
     * that no write begun under the previous stage is still running anywhere. The reconciler
     * leaves the keys PostgreSQL is owed alone until then: an instance still at
     * {@code REDIS_PRIMARY} could write a repaired key again, to Redis alone. A source that
     * serves one instance is always settled.
     * @param repository the repository name
     * @return whether the repository's last move has reached every live instance
     */
    default boolean isSettled(String repository) {
        return true;
    }

    /**
     * Begin a call of a repository under the strategy in force; close the returned call when
     * it ends. Writes are carried out under one strategy from start to end, even when the
     * strategy changes meanwhile; a shared source acknowledges a change to other instances
     * only once the calls begun before it have ended.
     * @param repository the repository name
     * @return the call, holding the strategy it runs under
     */
    default StageCall begin(String repository) {
        return StageCall.untracked(strategyFor(repository));
    }

    /**
     * Move a repository to another strategy.
     * @param repository the repository name
     * @param target the strategy to move to
     * @param force whether to allow a move of more than one stage (logged as forced)
     * @return the change that was applied
     * @throws StrategyChangeException if the move is not allowed
     */
    StrategyChange change(String repository, WriteStrategy target, boolean force);

}
