package dev.dualwrite.contract.hash;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.redis.core.index.Indexed;
import org.springframework.data.relational.core.mapping.Table;

/**
 * One domain type for both stores: a Redis hash and a row of {@code hash_items}.
 */
@RedisHash(Item.KEYSPACE)
@Table("hash_items")
public record Item(@Id String id, @Indexed String name, @Indexed String category, int quantity) {

    public static final String KEYSPACE = "dwtest:contract:hash:items";

}
