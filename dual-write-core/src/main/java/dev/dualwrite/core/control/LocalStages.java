package dev.dualwrite.core.control;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.dualwrite.core.strategy.StageCall;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stages this instance applies, answered from memory on every call, with the calls in
 * flight under each: a stage replaced by a newer one is acknowledged as left only once its
 * last call has ended.
 */
final class LocalStages {

    private static final Logger logger = LoggerFactory.getLogger(LocalStages.class);

    private final Map<String, Repository> repositories = new ConcurrentHashMap<>();

    private final List<StageListener> listeners = new CopyOnWriteArrayList<>();

    void addListener(StageListener listener) {
        this.listeners.add(listener);
    }

    /**
     * Apply a stage to new calls, if it is newer than the one applied, then tell the
     * listeners.
     * @return whether it was newer
     */
    boolean apply(String repository, WriteStrategy strategy, long epoch) {
        return apply(repository, strategy, epoch, null);
    }

    /**
     * Apply a stage as {@link #apply(String, WriteStrategy, long)} does.
     * @param cameFrom the stage the repository had before, as the ledger says, for the first
     * stage this instance applies (it has seen no earlier one)
     * @return whether it was newer
     */
    boolean apply(String repository, WriteStrategy strategy, long epoch, @Nullable WriteStrategy cameFrom) {
        Repository state = this.repositories.computeIfAbsent(repository, (name) -> new Repository());
        Applied previous;
        synchronized (state) {
            previous = state.current;
            if (previous != null && previous.epoch >= epoch) {
                return false;
            }
            if (previous != null) {
                state.leaving.add(previous);
            }
            state.current = new Applied(strategy, epoch, (previous != null) ? previous.strategy : cameFrom);
        }
        // Outside the lock: a listener must not hold up calls that begin under the new stage.
        notifyListeners(repository, (previous != null) ? previous.strategy : null, strategy, epoch);
        return true;
    }

    private void notifyListeners(String repository, @Nullable WriteStrategy previous, WriteStrategy strategy,
            long epoch) {
        for (StageListener listener : this.listeners) {
            try {
                listener.applied(repository, previous, strategy, epoch);
            }
            catch (RuntimeException ex) {
                logger.warn("dual-write: stage listener {} failed on repository '{}' now at {} (epoch {}); the stage "
                        + "is applied all the same", listener, repository, strategy, epoch, ex);
            }
        }
    }

    Optional<Applied> current(String repository) {
        Repository state = this.repositories.get(repository);
        return Optional.ofNullable((state != null) ? state.current : null);
    }

    /**
     * Note whether every live instance was just seen applying {@code epoch} of a repository
     * (or a newer one); an instance seen behind again (one left out that came back) unsettles
     * it.
     */
    void settle(String repository, long epoch, boolean agreed) {
        Repository state = this.repositories.get(repository);
        if (state != null) {
            state.settledEpoch
                .updateAndGet((settled) -> agreed ? Math.max(settled, epoch) : Math.min(settled, epoch - 1));
        }
    }

    /**
     * Return whether every live instance was last seen applying the stage applied here.
     */
    boolean isSettled(String repository) {
        Repository state = this.repositories.get(repository);
        Applied applied = (state != null) ? state.current : null;
        return applied == null || state.settledEpoch.get() >= applied.epoch;
    }

    /**
     * Return whether, as far as this instance knows, another live instance may still apply
     * {@code REDIS_PRIMARY} while this one applies {@code DUAL}.
     */
    boolean redisOnlyWritersMayRemain(String repository) {
        Repository state = this.repositories.get(repository);
        Applied applied = (state != null) ? state.current : null;
        return applied != null && state.redisOnlyWritersMayRemain(applied);
    }

    Map<String, Repository> all() {
        return this.repositories;
    }

    /**
     * Begin a call under the stage applied now. The count is taken before the stage is
     * checked again, so a stage replaced meanwhile is never left with an uncounted call.
     */
    StageCall begin(String repository, WriteStrategy fallback) {
        Repository state = this.repositories.get(repository);
        if (state == null) {
            return StageCall.untracked(fallback);
        }
        while (true) {
            Applied applied = state.current;
            if (applied == null) {
                return StageCall.untracked(fallback);
            }
            applied.calls.incrementAndGet();
            if (applied == state.current) {
                return applied.call(state.redisOnlyWritersMayRemain(applied));
            }
            applied.calls.decrementAndGet();
        }
    }

    /**
     * Return the epoch to acknowledge for a repository: the oldest stage with calls still in
     * flight, else the current one.
     */
    Optional<Applied> acknowledged(String repository) {
        Repository state = this.repositories.get(repository);
        if (state == null) {
            return Optional.empty();
        }
        synchronized (state) {
            Applied oldest = state.current;
            if (oldest == null) {
                return Optional.empty();
            }
            for (Iterator<Applied> it = state.leaving.iterator(); it.hasNext();) {
                Applied leaving = it.next();
                if (leaving.calls.get() == 0) {
                    it.remove();
                }
                else if (leaving.epoch < oldest.epoch) {
                    oldest = leaving;
                }
            }
            return Optional.of(oldest);
        }
    }

    static final class Repository {

        volatile Applied current;

        final ConcurrentLinkedQueue<Applied> leaving = new ConcurrentLinkedQueue<>();

        // The newest epoch every live instance was seen to apply.
        final AtomicLong settledEpoch = new AtomicLong();

        // Until every live instance is seen applying a DUAL reached from REDIS_PRIMARY.
        boolean redisOnlyWritersMayRemain(Applied applied) {
            return applied.leftRedisPrimary() && this.settledEpoch.get() < applied.epoch;
        }

    }

    /**
     * A stage as applied here, with the stage the repository had before it ({@code null} when
     * it has none: its first, seeded stage) and the number of calls running under it.
     */
    record Applied(WriteStrategy strategy, long epoch, @Nullable WriteStrategy previous, AtomicInteger calls) {

        Applied(WriteStrategy strategy, long epoch, @Nullable WriteStrategy previous) {
            this(strategy, epoch, previous, new AtomicInteger());
        }

        // Whether the instances that do not apply this stage yet may apply REDIS_PRIMARY.
        boolean leftRedisPrimary() {
            return this.strategy == WriteStrategy.DUAL && this.previous == WriteStrategy.REDIS_PRIMARY;
        }

        StageCall call(boolean redisOnlyWritersMayRemain) {
            return new StageCall() {

                private final AtomicBoolean closed = new AtomicBoolean();

                @Override
                public WriteStrategy strategy() {
                    return Applied.this.strategy;
                }

                @Override
                public boolean redisOnlyWritersMayRemain() {
                    return redisOnlyWritersMayRemain;
                }

                @Override
                public void close() {
                    if (this.closed.compareAndSet(false, true)) {
                        Applied.this.calls.decrementAndGet();
                    }
                }

                @Override
                public StageCall retain() {
                    Applied.this.calls.incrementAndGet();
                    return Applied.this.call(redisOnlyWritersMayRemain);
                }

            };
        }

    }

}
