package dev.dualwrite.durability.hashredis;

import dev.dualwrite.durability.Nut;

import org.springframework.data.repository.CrudRepository;

public interface NutRepository extends CrudRepository<Nut, String> {

}
