package dev.dualwrite.core.repair;

import java.util.List;

import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * The names of the Redis keys a {@link RedisRepairLog} keeps a repository's records, claims and
 * write intents in: {@code <prefix>repair:{<repository>}},
 * {@code <prefix>repair:{<repository>}:claims} and {@code <prefix>intent:{<repository>}}. The
 * repository's name is a cluster hash tag, so a repository's three keys share one slot.
 * <p>
 * Repositories are named after their PostgreSQL tables unless a pairing names them otherwise,
 * so two applications that share one Redis and each migrate a table of the same name (in
 * databases of their own) would share these keys, and each one's reconciler would take the
 * other's records: give each application a prefix of its own. Changing the prefix of an
 * application whose records are not all drained leaves those records behind, under the old
 * names.
 *
 * @param prefix what every key starts with, {@code dualwrite:} by default
 */
public record RedisRepairKeys(String prefix) {

    /** The keys under {@code dualwrite:}. */
    public static final RedisRepairKeys DEFAULT = new RedisRepairKeys("dualwrite:");

    /**
     * @param prefix what every key starts with; not empty, and without braces, which would
     * move the hash tag that keeps a repository's keys on one cluster slot
     */
    public RedisRepairKeys {
        Assert.isTrue(StringUtils.hasLength(prefix), "prefix must not be empty");
        Assert.isTrue(prefix.indexOf('{') < 0 && prefix.indexOf('}') < 0,
                () -> "prefix '" + prefix + "' must not contain '{' or '}': they would move the hash tag that keeps "
                        + "a repository's keys on one cluster slot");
    }

    /**
     * Return the key of a repository's repair records (a hash, field = entity key).
     * @param repository the repository name
     * @return the key
     */
    public String records(String repository) {
        return this.prefix + "repair:{" + repository + "}";
    }

    /**
     * Return the key of a repository's reconciler claims (a hash, field = entity key).
     * @param repository the repository name
     * @return the key, on the same cluster slot as {@link #records}
     */
    public String claims(String repository) {
        return records(repository) + ":claims";
    }

    /**
     * Return the key of a repository's write intents (a sorted set).
     * @param repository the repository name
     * @return the key, on the same cluster slot as {@link #records}
     */
    public String intents(String repository) {
        return this.prefix + "intent:{" + repository + "}";
    }

    /**
     * Return all three keys of a repository: its records, claims and intents.
     * @param repository the repository name
     * @return the keys
     */
    public List<String> all(String repository) {
        return List.of(records(repository), claims(repository), intents(repository));
    }

}
