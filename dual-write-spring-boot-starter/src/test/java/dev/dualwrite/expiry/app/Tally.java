package dev.dualwrite.expiry.app;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.dualwrite.core.expiry.ExpiresAt;
import dev.dualwrite.core.redis.json.RedisJson;
import org.jspecify.annotations.Nullable;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A daily counter, one type for both stores (paired automatically as {@code expiry_tallies}):
 * JSON under {@link #PREFIX} without its expiry, which only its key and its row carry.
 */
@RedisJson(keyPrefix = Tally.PREFIX)
@Table("expiry_tallies")
public record Tally(@Id String id, long hits, @JsonIgnore @ExpiresAt @Nullable Instant expiresAt) {

    public static final String PREFIX = "dwtest:expiry:tally:";

}
