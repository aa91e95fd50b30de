package dev.dualwrite.backfill.hashjdbc;

import dev.dualwrite.backfill.Sprocket;

import org.springframework.data.repository.CrudRepository;

public interface SprocketRowRepository extends CrudRepository<Sprocket, String> {

}
