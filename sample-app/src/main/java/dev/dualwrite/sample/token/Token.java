package dev.dualwrite.sample.token;

import java.time.Instant;
import java.util.List;

import dev.dualwrite.core.redis.json.RedisJson;
import org.jspecify.annotations.Nullable;

import org.springframework.data.annotation.Id;

/**
 * A minted token, stored in Redis as one JSON string under {@code token:<id>}, exactly as the
 * service has always stored it (camelCase names; attributes as {@code trait_type}/{@code value}).
 * <p>
 * The key prefix can be moved with {@code sample.tokens.key-prefix} (tests give each class
 * its own); it defaults to {@code token:}.
 * @param id the token id, also the suffix of its Redis key
 * @param imageHash hash of the image (IPFS or similar)
 * @param metadataHash hash of the metadata document
 * @param tokenUri URI of the metadata document
 * @param holderAddress address of the holder's wallet, {@code 0x} and 40 hex digits
 * @param holderUsername Farcaster user name of the holder
 * @param holderFid Farcaster id of the holder
 * @param holderDisplayName display name of the holder
 * @param holderPfpUrl URL of the holder's profile picture
 * @param transactionHash hash of the minting transaction
 * @param timestamp when the token was minted
 * @param attributes the token's traits
 * @param sourceType what the token was minted from, e.g. {@code cast}
 * @param sourceCastHash hash of the cast the token was minted from
 * @param totalEligibleReactors how many reactors were eligible when it was minted
 */
@RedisJson(keyPrefix = "${sample.tokens.key-prefix:token:}")
public record Token(
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
        List<TokenAttribute> attributes,
        @Nullable String sourceType,
        @Nullable String sourceCastHash,
        @Nullable Integer totalEligibleReactors) {

    public Token {
        // JSON written before attributes existed has none; an empty list keeps both stores equal.
        attributes = (attributes != null) ? List.copyOf(attributes) : List.of();
    }

}
