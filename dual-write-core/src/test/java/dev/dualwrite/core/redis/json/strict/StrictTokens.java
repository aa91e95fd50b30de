package dev.dualwrite.core.redis.json.strict;

import dev.dualwrite.core.redis.json.JsonToken;

import org.springframework.data.repository.CrudRepository;

/** A repository of a {@code @RedisJson} entity, found by package scanning without filters. */
public interface StrictTokens extends CrudRepository<JsonToken, String> {

}
