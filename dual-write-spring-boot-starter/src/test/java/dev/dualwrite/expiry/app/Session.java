package dev.dualwrite.expiry.app;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.dualwrite.core.redis.json.RedisJson;
import org.jspecify.annotations.Nullable;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.TimeToLive;

/**
 * A session as JSON under {@link #PREFIX}; {@code ttl} is the key's expiry in milliseconds
 * ({@code null} keeps the key's current one on save), not part of the JSON.
 */
@RedisJson(keyPrefix = Session.PREFIX)
public record Session(@Id String id, String owner,
        @JsonIgnore @TimeToLive(unit = TimeUnit.MILLISECONDS) @Nullable Long ttl) {

    public static final String PREFIX = "dwtest:expiry:session:";

}
