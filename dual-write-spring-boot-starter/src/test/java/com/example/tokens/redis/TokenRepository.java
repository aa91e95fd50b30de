package com.example.tokens.redis;

import java.util.List;

import com.example.tokens.Token;

import org.springframework.data.repository.ListCrudRepository;

public interface TokenRepository extends ListCrudRepository<Token, String> {

    List<Token> findByHolderAddress(String holderAddress);   // a SCAN of the prefix while reads are on Redis

}
