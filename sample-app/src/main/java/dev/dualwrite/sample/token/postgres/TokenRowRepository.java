package dev.dualwrite.sample.token.postgres;

import java.util.List;

import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

/**
 * The PostgreSQL side of tokens. It declares the same derived finders as the Redis
 * repository, so that reads can move to PostgreSQL; the application never injects it.
 */
public interface TokenRowRepository extends ListCrudRepository<TokenRow, String> {

    List<TokenRow> findByHolderAddress(String holderAddress);

    List<TokenRow> findByHolderFid(Long holderFid);

    /**
     * Return the tokens whose attributes contain all the given ones ({@code @>}), a query the
     * GIN index {@code idx_tokens_attributes} serves; something only PostgreSQL can answer.
     * @param attributes the attributes every match must have
     * @return the matching tokens
     */
    @Query("SELECT * FROM tokens WHERE attributes @> :attributes")
    List<TokenRow> findContaining(TokenAttributes attributes);

}
