package dev.dualwrite.sample.token.postgres;

import java.sql.SQLException;
import java.util.List;

import dev.dualwrite.sample.token.TokenAttribute;
import org.postgresql.util.PGobject;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.convert.converter.Converter;
import org.springframework.data.convert.ReadingConverter;
import org.springframework.data.convert.WritingConverter;
import org.springframework.util.Assert;

/**
 * Spring Data JDBC converters between {@link TokenAttributes} and the JSONB column
 * {@code attributes}: a JSON array of {@code {"trait_type": ..., "value": ...}} objects,
 * written and read with the application's {@link JsonMapper} so that PostgreSQL holds the
 * same JSON as Redis.
 */
public final class TokenAttributesConverters {

    private static final TypeReference<List<TokenAttribute>> LIST_OF_ATTRIBUTES = new TypeReference<>() {
    };

    private TokenAttributesConverters() {
    }

    /**
     * Return both converters, to register as JDBC custom conversions.
     * @param jsonMapper the application's JSON mapper
     * @return the writing and the reading converter
     */
    public static List<Converter<?, ?>> all(JsonMapper jsonMapper) {
        Assert.notNull(jsonMapper, "jsonMapper must not be null");
        return List.of(new ToJsonb(jsonMapper), new FromJsonb(jsonMapper));
    }

    /** Writes attributes as a {@code jsonb} parameter; a plain string would be sent as {@code varchar} and refused. */
    @WritingConverter
    static final class ToJsonb implements Converter<TokenAttributes, PGobject> {

        private final JsonMapper jsonMapper;

        ToJsonb(JsonMapper jsonMapper) {
            this.jsonMapper = jsonMapper;
        }

        @Override
        public PGobject convert(TokenAttributes source) {
            PGobject json = new PGobject();
            json.setType("jsonb");
            try {
                json.setValue(this.jsonMapper.writeValueAsString(source.values()));
            }
            catch (SQLException ex) {
                // PGobject declares it, but setting a value never touches the database.
                throw new IllegalStateException(ex);
            }
            return json;
        }

    }

    /** Reads the JSONB column, which the PostgreSQL driver returns as a {@link PGobject}. */
    @ReadingConverter
    static final class FromJsonb implements Converter<PGobject, TokenAttributes> {

        private final JsonMapper jsonMapper;

        FromJsonb(JsonMapper jsonMapper) {
            this.jsonMapper = jsonMapper;
        }

        @Override
        public TokenAttributes convert(PGobject source) {
            String json = source.getValue();
            if (json == null) {
                return new TokenAttributes(List.of());
            }
            return new TokenAttributes(this.jsonMapper.readValue(json, LIST_OF_ATTRIBUTES));
        }

    }

}
