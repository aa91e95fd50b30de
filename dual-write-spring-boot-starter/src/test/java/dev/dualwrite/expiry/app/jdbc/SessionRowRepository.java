package dev.dualwrite.expiry.app.jdbc;

import java.util.List;

import dev.dualwrite.expiry.app.SessionRow;

import org.springframework.data.repository.ListCrudRepository;

public interface SessionRowRepository extends ListCrudRepository<SessionRow, String> {

    List<SessionRow> findByOwner(String owner);

}
