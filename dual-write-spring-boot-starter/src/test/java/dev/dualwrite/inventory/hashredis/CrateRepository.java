package dev.dualwrite.inventory.hashredis;

import dev.dualwrite.inventory.Crate;

import org.springframework.data.repository.CrudRepository;

public interface CrateRepository extends CrudRepository<Crate, String> {

}
