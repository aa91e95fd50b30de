package dev.dualwrite.secondary.app;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A {@code @RedisHash} entity for the hung-secondary proof, with a table of its own and a
 * keyspace under each run's own prefix ({@value #PREFIX_PROPERTY}), so that two builds on one
 * machine never touch each other's keys.
 */
@RedisHash("${" + HungItem.PREFIX_PROPERTY + "}items")
@Table("hung_items")
public record HungItem(@Id String id, String name, int quantity) {

    /** The property that holds the run's key prefix. */
    public static final String PREFIX_PROPERTY = "dwtest.hung.prefix";

}
