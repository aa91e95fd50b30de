package dev.dualwrite.inventory;

import dev.dualwrite.core.redis.json.RedisJson;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * JSON strings under {@code <test prefix>parcel:<id>} and rows of {@code inventory_parcels}.
 * @param id the key's suffix
 * @param label a text
 */
@RedisJson(keyPrefix = "${dwtest.inventory.prefix}parcel:")
@Table("inventory_parcels")
public record Parcel(@Id String id, String label) {

}
