package dev.dualwrite.durability.redis;

import dev.dualwrite.durability.Bolt;

import org.springframework.data.repository.CrudRepository;

public interface BoltRepository extends CrudRepository<Bolt, String> {

}
