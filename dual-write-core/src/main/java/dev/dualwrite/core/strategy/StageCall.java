package dev.dualwrite.core.strategy;

/**
 * One repository call running under the stage that was in force when it began. A shared
 * {@link StrategySource} tells other instances that this one applies a new stage only once
 * every call begun under the previous stage has closed, so no write of an older stage is
 * still in flight when the next move is allowed.
 */
public interface StageCall extends AutoCloseable {

    /**
     * Return the strategy the call runs under.
     * @return the strategy
     */
    WriteStrategy strategy();

    /**
     * Return whether, when the call began, another live instance might still apply
     * {@code REDIS_PRIMARY} (see {@link StrategySource#redisOnlyWritersMayRemain}), and so
     * write Redis alone, without the key's lock and without a copy to PostgreSQL. A
     * {@code DUAL} write made then records its key for repair: such a write may overtake
     * its copy.
     * @return whether instances writing Redis alone may remain
     */
    default boolean redisOnlyWritersMayRemain() {
        return false;
    }

    /**
     * Mark the call as ended.
     */
    @Override
    void close();

    /**
     * Keep the call's stage in flight for work the call hands over to another thread (a
     * secondary write that may outlive the call), until the returned call is closed too.
     * @return a call to close when that work is over
     */
    default StageCall retain() {
        StageCall retained = this;
        return new StageCall() {

            @Override
            public WriteStrategy strategy() {
                return retained.strategy();
            }

            @Override
            public boolean redisOnlyWritersMayRemain() {
                return retained.redisOnlyWritersMayRemain();
            }

            @Override
            public void close() {
            }

        };
    }

    /**
     * Return a call that nobody waits for.
     * @param strategy the strategy the call runs under
     * @return the call
     */
    static StageCall untracked(WriteStrategy strategy) {
        return new StageCall() {

            @Override
            public WriteStrategy strategy() {
                return strategy;
            }

            @Override
            public void close() {
            }

        };
    }

}
