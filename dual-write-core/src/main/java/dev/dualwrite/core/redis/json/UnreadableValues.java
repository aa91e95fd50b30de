package dev.dualwrite.core.redis.json;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

/**
 * Carries out the {@link UnreadableValuePolicy} of one repository for its multi-key reads:
 * throws, or logs the key once and tells the listener before the value is left out.
 */
final class UnreadableValues {

    private static final Logger logger = LoggerFactory.getLogger(UnreadableValues.class);

    // Keys remembered per repository so that each is logged once; beyond this many, further
    // keys are only counted, so that a keyspace full of bad values cannot fill the heap.
    private static final int MAX_LOGGED_KEYS = 1000;

    private final Class<?> repositoryInterface;

    private final UnreadableValuePolicy policy;

    private final UnreadableValueListener listener;

    private final Set<String> loggedKeys = ConcurrentHashMap.newKeySet();

    private final AtomicBoolean loggingStopped = new AtomicBoolean();

    /**
     * @param repositoryInterface the repository, named in logs and told to the listener
     * @param policy {@link UnreadableValuePolicy#SKIP} or {@link UnreadableValuePolicy#FAIL}
     * @param listener told of every value left out
     */
    UnreadableValues(Class<?> repositoryInterface, UnreadableValuePolicy policy, UnreadableValueListener listener) {
        Assert.notNull(repositoryInterface, "repositoryInterface must not be null");
        Assert.isTrue(policy != UnreadableValuePolicy.DEFAULT, "policy must be resolved to SKIP or FAIL");
        Assert.notNull(listener, "listener must not be null");
        this.repositoryInterface = repositoryInterface;
        this.policy = policy;
        this.listener = listener;
    }

    /** Return a handler that fails every read of an unreadable value (a store used on its own). */
    static UnreadableValues failing() {
        // Never logs nor tells the listener, so the repository it names does not matter.
        return new UnreadableValues(Object.class, UnreadableValuePolicy.FAIL, (repository, failure) -> {
        });
    }

    /**
     * Fail the read, or record that the value is left out so the read can go on.
     * @param failure why the value cannot be read
     * @throws RedisJsonReadException {@code failure}, under {@link UnreadableValuePolicy#FAIL}
     */
    void skipOrThrow(RedisJsonReadException failure) {
        if (this.policy == UnreadableValuePolicy.FAIL) {
            throw failure;
        }
        logOnce(failure);
        try {
            this.listener.skipped(this.repositoryInterface, failure);
        }
        catch (RuntimeException ex) {
            // A listener is an observer (a meter): its failure must not fail the caller's read.
            logger.warn("UnreadableValueListener failed for repository {}", this.repositoryInterface.getName(), ex);
        }
    }

    private void logOnce(RedisJsonReadException failure) {
        if (this.loggedKeys.contains(failure.getKey())) {
            return;
        }
        if (this.loggedKeys.size() >= MAX_LOGGED_KEYS) {
            if (this.loggingStopped.compareAndSet(false, true)) {
                logger.warn("{}: more than {} unreadable values; further keys are skipped and counted, not logged",
                        this.repositoryInterface.getName(), MAX_LOGGED_KEYS);
            }
            return;
        }
        if (this.loggedKeys.add(failure.getKey())) {
            // The message names the key and the problem, never the value (it may hold personal data).
            logger.warn("{}: findAll, findAllById, derived queries and pages leave out a value they cannot read, "
                    + "until it is fixed or deleted (logged once per key): {}", this.repositoryInterface.getName(),
                    failure.getMessage());
        }
    }

}
