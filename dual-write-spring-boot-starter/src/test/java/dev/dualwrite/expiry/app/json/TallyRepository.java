package dev.dualwrite.expiry.app.json;

import dev.dualwrite.expiry.app.Tally;

import org.springframework.data.repository.CrudRepository;

public interface TallyRepository extends CrudRepository<Tally, String> {

}
