package dev.dualwrite.backfill;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A {@code @RedisHash} entity and rows of {@code backfill_sprockets}.
 */
@RedisHash(Sprocket.KEYSPACE)
@Table("backfill_sprockets")
public record Sprocket(@Id String id, String name, int teeth) {

    public static final String KEYSPACE = "dwtest:backfill:sprockets";

}
