package dev.dualwrite.core.routing;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Compares what the read store answered with what the other store answered for the same
 * shadow read. Declare one as a bean to replace the default comparison of a repository.
 */
public interface ShadowReadComparator {

    /**
     * Return the repository whose shadow reads this comparator judges.
     * @return the repository name
     */
    String repository();

    /**
     * Return how two answers to the same read differ, empty when they agree.
     * @param readStoreResult what the caller got (entities in the Redis repository's type)
     * @param otherStoreResult what the other store answered, in the same type
     * @return differing field names (or {@code "missing"} when a value or a key is in one result only,
     * {@code "value"} when two values that are not entities differ)
     */
    List<String> differences(@Nullable Object readStoreResult, @Nullable Object otherStoreResult);

}
