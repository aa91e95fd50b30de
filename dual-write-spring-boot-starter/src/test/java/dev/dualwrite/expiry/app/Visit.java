package dev.dualwrite.expiry.app;

import org.jspecify.annotations.Nullable;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.redis.core.TimeToLive;

/**
 * A visit as a Spring Data Redis hash; {@code ttl} (seconds) is its key's expiry, written on
 * save and read back by Spring Data Redis.
 */
@RedisHash(Visit.KEYSPACE)
public record Visit(@Id String id, String page, @TimeToLive @Nullable Long ttl) {

    public static final String KEYSPACE = "dwtest:expiry:visits";

}
