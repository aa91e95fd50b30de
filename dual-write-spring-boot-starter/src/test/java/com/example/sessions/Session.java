package com.example.sessions;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.dualwrite.core.redis.json.RedisJson;
import org.jspecify.annotations.Nullable;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.TimeToLive;

@RedisJson(keyPrefix = "session:")
public record Session(@Id String id, String owner,
        @JsonIgnore @TimeToLive(unit = TimeUnit.MILLISECONDS) @Nullable Long ttl) {
}
