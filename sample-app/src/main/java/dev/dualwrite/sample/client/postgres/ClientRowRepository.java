package dev.dualwrite.sample.client.postgres;

import dev.dualwrite.sample.client.Client;

import org.springframework.data.repository.CrudRepository;

/**
 * The clients in PostgreSQL. Paired with the SQLite repository automatically: it is the one
 * PostgreSQL repository of {@link Client}.
 */
public interface ClientRowRepository extends CrudRepository<Client, String> {

}
