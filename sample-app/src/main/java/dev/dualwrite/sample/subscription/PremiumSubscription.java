package dev.dualwrite.sample.subscription;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.redis.core.index.Indexed;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A premium subscription, keyed by e-mail address: one domain type for both stores, a hash
 * under {@code subscriptions:<email>} in Redis and a row of {@code subscriptions} in
 * PostgreSQL. Because both repositories share this type, the dual-write starter pairs them
 * by itself, under the table's name.
 * @param email the subscriber's e-mail address, the id
 * @param plan the plan, e.g. {@code monthly}
 * @param status the status, e.g. {@code active}
 * @param startedAt when the subscription started
 * @param expiresAt when it expires; {@code null} when it does not
 * @param fid the subscriber's Farcaster id, indexed in Redis for {@code findByFid}
 */
@RedisHash("subscriptions")
@Table("subscriptions")
public record PremiumSubscription(
        @Id String email,
        String plan,
        String status,
        Instant startedAt,
        @Nullable Instant expiresAt,
        @Indexed @Nullable Long fid) {

}
