package dev.dualwrite.backfill.hashredis;

import dev.dualwrite.backfill.Sprocket;

import org.springframework.data.repository.CrudRepository;

public interface SprocketRepository extends CrudRepository<Sprocket, String> {

}
