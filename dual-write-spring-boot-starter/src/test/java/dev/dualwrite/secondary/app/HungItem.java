package dev.dualwrite.secondary.app;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A {@code @RedisHash} entity for the hung-secondary proof, with a keyspace and table of its own.
 */
@RedisHash(HungItem.KEYSPACE)
@Table("hung_items")
public record HungItem(@Id String id, String name, int quantity) {

    public static final String KEYSPACE = "dwtest:hung:items";

}
