package com.example.tokens;

import java.time.Instant;

import dev.dualwrite.core.redis.json.RedisJson;

import org.springframework.data.annotation.Id;

@RedisJson(keyPrefix = "token:")
public record Token(@Id String id, String holderAddress, Instant mintedAt) {

}
