package dev.dualwrite.sample.token.postgres;

import java.time.Instant;

import dev.dualwrite.sample.token.Token;
import org.jspecify.annotations.Nullable;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A row of the PostgreSQL {@code tokens} table, column by column, with the attributes in one
 * JSONB column (see {@link TokenAttributesConverters}). {@code created_at} and
 * {@code updated_at} are left to the database's defaults and are not mapped.
 * <p>
 * {@link #fromToken} and {@link #toToken} are inverse of each other, which is what lets the
 * starter copy tokens in either direction and compare the two stores.
 */
@Table("tokens")
public record TokenRow(
        @Id String id,
        @Nullable String imageHash,
        @Nullable String metadataHash,
        @Nullable String tokenUri,
        String holderAddress,
        @Nullable String holderUsername,
        @Nullable Long holderFid,
        @Nullable String holderDisplayName,
        @Nullable String holderPfpUrl,
        @Nullable String transactionHash,
        Instant timestamp,
        TokenAttributes attributes,
        @Nullable String sourceType,
        @Nullable String sourceCastHash,
        @Nullable Integer totalEligibleReactors) {

    /**
     * Return the row of a token.
     * @param token the token as stored in Redis
     * @return the row
     */
    public static TokenRow fromToken(Token token) {
        return new TokenRow(token.id(), token.imageHash(), token.metadataHash(), token.tokenUri(),
                token.holderAddress(), token.holderUsername(), token.holderFid(), token.holderDisplayName(),
                token.holderPfpUrl(), token.transactionHash(), token.timestamp(),
                new TokenAttributes(token.attributes()), token.sourceType(), token.sourceCastHash(),
                token.totalEligibleReactors());
    }

    /**
     * Return the token of this row.
     * @return the token, as it would be stored in Redis
     */
    public Token toToken() {
        return new Token(this.id, this.imageHash, this.metadataHash, this.tokenUri, this.holderAddress,
                this.holderUsername, this.holderFid, this.holderDisplayName, this.holderPfpUrl,
                this.transactionHash, this.timestamp, this.attributes.values(), this.sourceType, this.sourceCastHash,
                this.totalEligibleReactors);
    }

}
