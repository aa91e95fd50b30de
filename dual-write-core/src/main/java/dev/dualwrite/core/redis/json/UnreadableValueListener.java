package dev.dualwrite.core.redis.json;

/**
 * Told each time a multi-key read of a Redis JSON repository leaves out a value it cannot
 * read (policy {@link UnreadableValuePolicy#SKIP}), for example to count it in a meter.
 * Declare it as a bean: every Redis JSON repository created by
 * {@link EnableRedisJsonRepositories} reports to all such beans.
 * <p>
 * Called on the reading thread, for every value left out (not only once per key): keep it
 * quick. An exception it throws is logged and does not fail the read.
 */
@FunctionalInterface
public interface UnreadableValueListener {

    /**
     * Called when a read leaves out a value.
     * @param repositoryInterface the application's repository interface whose read left it out
     * @param failure why the value cannot be read; names the key, never quotes the value
     */
    void skipped(Class<?> repositoryInterface, RedisJsonReadException failure);

}
