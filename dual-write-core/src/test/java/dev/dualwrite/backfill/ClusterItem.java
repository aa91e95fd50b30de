package dev.dualwrite.backfill;

import dev.dualwrite.core.redis.json.RedisJson;

import org.springframework.data.annotation.Id;

/**
 * A JSON-string entity for the cluster scan test.
 */
@RedisJson(keyPrefix = "item:")
public record ClusterItem(@Id String id, String name) {

}
