package dev.dualwrite.core.redis.json.strict;

import org.springframework.data.repository.CrudRepository;

/** A repository that the Redis JSON module must leave to other modules in strict configuration. */
public interface PlainEntityRepository extends CrudRepository<PlainEntity, String> {

}
