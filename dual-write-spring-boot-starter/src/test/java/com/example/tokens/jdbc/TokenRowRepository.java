package com.example.tokens.jdbc;

import java.util.List;

import org.springframework.data.repository.ListCrudRepository;

/**
 * The Spring Data JDBC repository of the README's tokens, with the same derived finder as the
 * Redis repository (not shown in the README).
 */
public interface TokenRowRepository extends ListCrudRepository<TokenRow, String> {

    List<TokenRow> findByHolderAddress(String holderAddress);

}
