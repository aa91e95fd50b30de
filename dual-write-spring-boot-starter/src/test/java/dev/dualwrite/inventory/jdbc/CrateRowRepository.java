package dev.dualwrite.inventory.jdbc;

import dev.dualwrite.inventory.Crate;

import org.springframework.data.repository.CrudRepository;

public interface CrateRowRepository extends CrudRepository<Crate, String> {

}
