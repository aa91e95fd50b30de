package dev.dualwrite.core.redis.json;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.data.annotation.Id;

/**
 * The test entity: a record with a nested object, a list and an {@link Instant}, stored
 * under a per-test-class prefix taken from the environment.
 */
@RedisJson(keyPrefix = "${" + RedisJsonTestContext.PREFIX_PROPERTY + "}token:")
public record JsonToken(@Id @Nullable String id, String name, @Nullable Holder holder, List<String> tags,
        Instant issuedAt, long amount, boolean active, @Nullable String note) {

    /** The nested object. */
    public record Holder(@Nullable String address, @Nullable Long fid) {
    }

    JsonToken withId(@Nullable String newId) {
        return new JsonToken(newId, this.name, this.holder, this.tags, this.issuedAt, this.amount, this.active,
                this.note);
    }

    JsonToken withName(String newName) {
        return new JsonToken(this.id, newName, this.holder, this.tags, this.issuedAt, this.amount, this.active,
                this.note);
    }

}
