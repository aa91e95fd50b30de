package dev.dualwrite.verify.app.jdbc;

import dev.dualwrite.verify.app.ParityCounter;

import org.springframework.data.repository.ListCrudRepository;

public interface ParityCounterRowRepository extends ListCrudRepository<ParityCounter, Long> {

}
