package dev.dualwrite.verify.app.redis;

import dev.dualwrite.verify.app.ParityCounter;

import org.springframework.data.repository.CrudRepository;

public interface ParityCounterRepository extends CrudRepository<ParityCounter, Long> {

}
