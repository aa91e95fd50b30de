package dev.dualwrite.durability;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A {@code @RedisHash} entity under {@code <test prefix>nuts:<id>} (a keyspace of each run's
 * own, so runs in parallel neither see nor delete each other's nuts), and rows of
 * {@code durability_nuts}.
 */
@RedisHash("${dwtest.durability.prefix}nuts")
@Table("durability_nuts")
public record Nut(@Id String id, String name, int size) {

}
