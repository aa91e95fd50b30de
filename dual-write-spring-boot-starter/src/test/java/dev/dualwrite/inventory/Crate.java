package dev.dualwrite.inventory;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.redis.core.index.Indexed;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A {@code @RedisHash} entity with an indexed property (so Spring Data keeps index sets beside
 * the hashes) and rows of {@code inventory_crates}. Its keyspace is the test run's own
 * ({@link InventoryKeyspaces}).
 * @param id the key
 * @param colour indexed
 * @param weight a number
 */
@RedisHash
@Table("inventory_crates")
public record Crate(@Id String id, @Indexed String colour, int weight) {

}
