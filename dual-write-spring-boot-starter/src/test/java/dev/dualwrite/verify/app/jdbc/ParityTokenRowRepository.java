package dev.dualwrite.verify.app.jdbc;

import dev.dualwrite.verify.app.ParityToken;

import org.springframework.data.repository.CrudRepository;

public interface ParityTokenRowRepository extends CrudRepository<ParityToken, String> {

}
