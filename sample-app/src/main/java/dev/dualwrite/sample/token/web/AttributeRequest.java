package dev.dualwrite.sample.token.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.dualwrite.sample.token.TokenAttribute;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/**
 * One attribute in a token request, {@code {"trait_type": "...", "value": "..."}}.
 * @param traitType the trait's name
 * @param value the trait's value
 */
public record AttributeRequest(@JsonProperty("trait_type") @NotBlank String traitType, @NotNull String value) {

    TokenAttribute toAttribute() {
        return new TokenAttribute(this.traitType, this.value);
    }

}
