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
     * Return whether, as far as this instance knows, another live instance may still apply
     * {@code REDIS_PRIMARY} while the repository is at {@code DUAL} here: true from the move
     * (or the start-up) until this instance has seen every live instance apply it. Such an
     * instance writes Redis alone, without the key's lock, so the reconciler leaves the keys
     * PostgreSQL is owed alone until then: it could write a repaired key again, and nothing
     * would say so. A source that serves one instance never has such writers.
     * @param repository the repository name
     * @return whether instances writing Redis alone may remain
     */
    default boolean redisOnlyWritersMayRemain(String repository) {
        return false;
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
