package com.example.subscriptions;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.relational.core.mapping.Table;

/**
 * The application's own entity of the README's quick start (step 2), one type for both
 * stores: not shown in the README, it lets the snippets around it compile.
 * @param email the key
 * @param plan the plan subscribed to
 */
@RedisHash("subscriptions")
@Table("subscriptions")
public record Subscription(@Id String email, String plan) {

}
