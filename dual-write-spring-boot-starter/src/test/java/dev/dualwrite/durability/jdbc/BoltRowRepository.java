package dev.dualwrite.durability.jdbc;

import dev.dualwrite.durability.Bolt;

import org.springframework.data.repository.CrudRepository;

public interface BoltRowRepository extends CrudRepository<Bolt, String> {

}
