package dev.dualwrite.sample.token;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One trait of a token, in the NFT metadata shape {@code {"trait_type": "...", "value": "..."}}.
 * @param traitType the trait's name, e.g. {@code Background}
 * @param value the trait's value, e.g. {@code Blue}
 */
public record TokenAttribute(@JsonProperty("trait_type") String traitType, String value) {

}
