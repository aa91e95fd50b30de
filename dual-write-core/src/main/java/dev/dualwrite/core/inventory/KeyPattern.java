package dev.dualwrite.core.inventory;

import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * One kind of key of a repository: the glob that shows it (e.g. {@code token:*},
 * {@code items:name:*}) and what the keys are.
 * @param pattern the keys, in {@code SCAN MATCH} glob form, for display
 * @param role what the keys are to the repository
 * @param expectedType the Redis type its keys should have ({@code string}, {@code hash},
 * {@code set}, {@code zset}); others are shown in the report's types
 */
public record KeyPattern(String pattern, KeyRole role, String expectedType) {

    public KeyPattern {
        Assert.isTrue(StringUtils.hasLength(pattern), "pattern must not be empty");
        Assert.notNull(role, "role must not be null");
        Assert.isTrue(StringUtils.hasLength(expectedType), "expectedType must not be empty");
    }

}
