package com.example.tokens.jdbc;

import java.time.Instant;

import com.example.tokens.Token;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * The PostgreSQL row of the README's tokens, a type of its own (so the pairing maps between
 * the two); not shown in the README, it lets the snippets around it compile.
 * @param id the id
 * @param holderAddress the holder's address
 * @param mintedAt when the token was minted
 */
@Table("tokens")
public record TokenRow(@Id String id, String holderAddress, Instant mintedAt) {

    public static TokenRow fromToken(Token token) {
        return new TokenRow(token.id(), token.holderAddress(), token.mintedAt());
    }

    public Token toToken() {
        return new Token(this.id, this.holderAddress, this.mintedAt);
    }

}
