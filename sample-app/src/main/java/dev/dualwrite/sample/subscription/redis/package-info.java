/** The Redis ({@code @RedisHash}) side of subscriptions. */
@NullMarked
package dev.dualwrite.sample.subscription.redis;

import org.jspecify.annotations.NullMarked;
