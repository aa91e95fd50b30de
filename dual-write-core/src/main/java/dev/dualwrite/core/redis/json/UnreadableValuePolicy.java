package dev.dualwrite.core.redis.json;

/**
 * What a multi-key read of a Redis JSON repository ({@code findAll}, {@code findAllById},
 * derived queries, pages) does with a value it cannot read: JSON that does not map to the
 * entity, a JSON {@code null}, an id that contradicts its key, or a key under the prefix that
 * holds another Redis type than a string.
 * <p>
 * {@code findById} of such a key always fails with a {@link RedisJsonReadException}, whatever
 * the policy. A key that is deleted between the {@code SCAN} and the read is not unreadable:
 * it is simply not in the answer, under every policy.
 * @see RedisJson#unreadableValues()
 * @see EnableRedisJsonRepositories#unreadableValues()
 */
public enum UnreadableValuePolicy {

    /**
     * On {@link RedisJson}: the policy of the {@link EnableRedisJsonRepositories} that enabled
     * the repository. On {@code EnableRedisJsonRepositories}: {@link #SKIP}.
     */
    DEFAULT,

    /**
     * Leave the value out of the answer and go on; it is logged once per key (key and reason,
     * never the value) and reported to every {@link UnreadableValueListener} bean.
     */
    SKIP,

    /** Fail the whole call with a {@link RedisJsonReadException} naming the key. */
    FAIL

}
