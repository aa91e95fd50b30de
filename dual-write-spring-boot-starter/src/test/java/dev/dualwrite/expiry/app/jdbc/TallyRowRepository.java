package dev.dualwrite.expiry.app.jdbc;

import dev.dualwrite.expiry.app.Tally;

import org.springframework.data.repository.CrudRepository;

public interface TallyRowRepository extends CrudRepository<Tally, String> {

}
