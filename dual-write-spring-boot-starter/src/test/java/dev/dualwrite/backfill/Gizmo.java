package dev.dualwrite.backfill;

import dev.dualwrite.core.redis.json.RedisJson;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * JSON strings under {@code <test prefix>gizmo:<id>} and rows of {@code backfill_gizmos}
 * (whose check constraint refuses a negative quantity, to produce constraint rejects).
 */
@RedisJson(keyPrefix = "${dwtest.backfill.prefix}gizmo:")
@Table("backfill_gizmos")
public record Gizmo(@Id String id, String name, int quantity) {

}
