package dev.dualwrite.repair.app;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A {@code @RedisHash} entity for reconciler tests, with a keyspace and table of its own.
 */
@RedisHash(RepairItem.KEYSPACE)
@Table("parity_repair_items")
public record RepairItem(@Id String id, String name, int quantity) {

    public static final String KEYSPACE = "dwtest:parity:repair:items";

}
