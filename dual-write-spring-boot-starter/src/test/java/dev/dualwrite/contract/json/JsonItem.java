package dev.dualwrite.contract.json;

import dev.dualwrite.core.redis.json.RedisJson;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * One domain type for both stores: a JSON string under {@code <prefix><id>} and a row of
 * {@code json_items}.
 */
@RedisJson(keyPrefix = JsonItem.PREFIX)
@Table("json_items")
public record JsonItem(@Id String id, String name, String category, int quantity) {

    public static final String PREFIX = "dwtest:contract:json:item:";

}
