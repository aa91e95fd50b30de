package dev.dualwrite.core.redis.json.strict;

import org.springframework.data.annotation.Id;

/**
 * An entity without {@code @RedisJson}, as another Spring Data module's entity would be.
 * @param id the id
 */
public record PlainEntity(@Id String id) {

}
