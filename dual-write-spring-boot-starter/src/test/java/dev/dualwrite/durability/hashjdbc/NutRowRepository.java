package dev.dualwrite.durability.hashjdbc;

import dev.dualwrite.durability.Nut;

import org.springframework.data.repository.CrudRepository;

public interface NutRowRepository extends CrudRepository<Nut, String> {

}
