package dev.dualwrite.sample.token.postgres;

import java.util.List;

import dev.dualwrite.sample.token.TokenAttribute;

/**
 * The attributes of a token as one value, so that Spring Data JDBC maps them to the single
 * JSONB column {@code attributes} (through {@link TokenAttributesConverters}) rather than to
 * a child table.
 * @param values the attributes, in order
 */
public record TokenAttributes(List<TokenAttribute> values) {

    public TokenAttributes {
        values = (values != null) ? List.copyOf(values) : List.of();
    }

    /**
     * Return attributes made of the given ones.
     * @param values the attributes
     * @return the value
     */
    public static TokenAttributes of(TokenAttribute... values) {
        return new TokenAttributes(List.of(values));
    }

}
