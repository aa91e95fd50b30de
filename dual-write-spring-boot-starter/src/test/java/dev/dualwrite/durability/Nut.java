package dev.dualwrite.durability;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A {@code @RedisHash} entity, with a keyspace of its own, and rows of {@code durability_nuts}.
 */
@RedisHash(Nut.KEYSPACE)
@Table("durability_nuts")
public record Nut(@Id String id, String name, int size) {

    public static final String KEYSPACE = "dwtest:durability:nuts";

}
