package dev.dualwrite.verify.app;

import java.math.BigDecimal;
import java.time.Instant;

import dev.dualwrite.core.redis.json.RedisJson;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A token-like entity for verifier tests: a JSON string under its own prefix and a row of
 * {@code parity_tokens}, with the value types whose representations differ between stores
 * (decimals, timestamps beyond microseconds).
 */
@RedisJson(keyPrefix = ParityToken.PREFIX)
@Table("parity_tokens")
public record ParityToken(@Id String id, String holder, BigDecimal amount, Instant mintedAt, int quantity) {

    public static final String PREFIX = "dwtest:parity:verify:token:";

}
