package dev.dualwrite.verify.app.redis;

import dev.dualwrite.verify.app.ParityToken;

import org.springframework.data.repository.CrudRepository;

public interface ParityTokenRepository extends CrudRepository<ParityToken, String> {

}
