package dev.dualwrite.expiry.app.hash;

import dev.dualwrite.expiry.app.Visit;

import org.springframework.data.repository.CrudRepository;

public interface VisitRepository extends CrudRepository<Visit, String> {

}
