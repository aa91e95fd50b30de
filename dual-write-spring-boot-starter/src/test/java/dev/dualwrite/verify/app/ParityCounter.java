package dev.dualwrite.verify.app;

import dev.dualwrite.core.redis.json.RedisJson;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * An entity with a numeric id for verifier tests: a Redis key whose suffix is not a number
 * names no id at all.
 */
@RedisJson(keyPrefix = ParityCounter.PREFIX)
@Table("parity_counters")
public record ParityCounter(@Id Long id, String label) {

    public static final String PREFIX = "dwtest:parity:verify:counter:";

}
