package dev.dualwrite.expiry.app.json;

import java.util.List;

import dev.dualwrite.expiry.app.Session;

import org.springframework.data.repository.ListCrudRepository;

public interface SessionRepository extends ListCrudRepository<Session, String> {

    List<Session> findByOwner(String owner);

}
