package dev.dualwrite.sample.token.web;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import dev.dualwrite.sample.token.Token;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /tokens} and {@code PUT /tokens/{id}}: a token as clients send it.
 * The limits are those of the {@code tokens} table, so that whatever the API accepts fits
 * PostgreSQL once writes go there.
 * @param id the token id; required by {@code POST}, optional in {@code PUT} (the path's id wins, a different one is refused)
 * @param imageHash hash of the image
 * @param metadataHash hash of the metadata document
 * @param tokenUri URI of the metadata document
 * @param holderAddress the holder's wallet address
 * @param holderUsername the holder's user name
 * @param holderFid the holder's Farcaster id
 * @param holderDisplayName the holder's display name
 * @param holderPfpUrl URL of the holder's profile picture
 * @param transactionHash hash of the minting transaction
 * @param timestamp when the token was minted; now when absent
 * @param attributes the token's traits; none when absent
 * @param sourceType what the token was minted from
 * @param sourceCastHash hash of the cast it was minted from
 * @param totalEligibleReactors how many reactors were eligible
 */
public record TokenRequest(
        @Nullable @Pattern(regexp = TokenRequest.ID, message = "must be 1 to 255 letters, digits, '.', '_' or '-'") String id,
        @Nullable @Size(max = 255) String imageHash,
        @Nullable @Size(max = 255) String metadataHash,
        @Nullable String tokenUri,
        @NotBlank @Pattern(regexp = "0x[0-9a-fA-F]{40}", message = "must be 0x followed by 40 hex digits") String holderAddress,
        @Nullable @Size(max = 255) String holderUsername,
        @Nullable @PositiveOrZero Long holderFid,
        @Nullable @Size(max = 255) String holderDisplayName,
        @Nullable String holderPfpUrl,
        @Nullable @Size(max = 66) String transactionHash,
        @Nullable Instant timestamp,
        @Nullable List<@Valid @NotNull AttributeRequest> attributes,
        @Nullable @Size(max = 50) String sourceType,
        @Nullable @Size(max = 66) String sourceCastHash,
        @Nullable @PositiveOrZero Integer totalEligibleReactors) {

    /** Token ids: they end up in Redis keys and URL paths, so they stay plain. */
    public static final String ID = "[A-Za-z0-9._-]{1,255}";

    /**
     * Return the token this request describes.
     * @param tokenId the id of the token
     * @param now the time to use when the request has no timestamp
     * @return the token
     */
    Token toToken(String tokenId, Instant now) {
        List<AttributeRequest> requested = (this.attributes != null) ? this.attributes : List.of();
        return new Token(tokenId, this.imageHash, this.metadataHash, this.tokenUri, this.holderAddress,
                this.holderUsername, this.holderFid, this.holderDisplayName, this.holderPfpUrl, this.transactionHash,
                // PostgreSQL keeps microseconds; finer digits would make the two stores differ.
                ((this.timestamp != null) ? this.timestamp : now).truncatedTo(ChronoUnit.MICROS),
                requested.stream().map(AttributeRequest::toAttribute).toList(), this.sourceType, this.sourceCastHash,
                this.totalEligibleReactors);
    }

}
