package dev.dualwrite.sample.token.redis;

import java.util.List;

import dev.dualwrite.sample.token.Token;

import org.springframework.data.repository.ListCrudRepository;

/**
 * The service's own token repository, the only one its code injects. It holds CRUD methods
 * and derived queries only, so the dual-write starter can route every call by strategy.
 */
public interface TokenRepository extends ListCrudRepository<Token, String> {

    List<Token> findByHolderAddress(String holderAddress);

    List<Token> findByHolderFid(Long holderFid);

    /**
     * Delete every token of one holder.
     * @param holderAddress the holder's address
     * @return how many tokens were deleted
     */
    long deleteByHolderAddress(String holderAddress);

}
