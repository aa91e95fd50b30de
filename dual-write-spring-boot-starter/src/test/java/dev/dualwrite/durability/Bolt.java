package dev.dualwrite.durability;

import dev.dualwrite.core.redis.json.RedisJson;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * JSON strings under {@code <test prefix>bolt:<id>} and rows of {@code durability_bolts}.
 */
@RedisJson(keyPrefix = "${dwtest.durability.prefix}bolt:")
@Table("durability_bolts")
public record Bolt(@Id String id, String name, int turns) {

}
