package dev.dualwrite.sample.client.sqlite;

import dev.dualwrite.sample.client.Client;

import org.springframework.data.repository.CrudRepository;

/**
 * The clients as the service has always stored them, in its SQLite file: the repository the
 * application injects, before, during and after the migration.
 */
public interface ClientRepository extends CrudRepository<Client, String> {

}
