package dev.dualwrite.expiry.app.jdbc;

import dev.dualwrite.expiry.app.VisitRow;

import org.springframework.data.repository.CrudRepository;

public interface VisitRowRepository extends CrudRepository<VisitRow, String> {

}
