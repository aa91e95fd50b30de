/**
 * What the Redis shapes share: patterns of their keys.
 */
@NullMarked
package dev.dualwrite.core.redis;

import org.jspecify.annotations.NullMarked;
