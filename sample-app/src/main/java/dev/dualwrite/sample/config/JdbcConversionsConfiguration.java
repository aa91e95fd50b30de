package dev.dualwrite.sample.config;

import dev.dualwrite.sample.token.postgres.TokenAttributesConverters;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jdbc.core.convert.JdbcCustomConversions;
import org.springframework.data.jdbc.core.dialect.JdbcDialect;

/**
 * Registers the JSONB converters of token attributes with Spring Data JDBC. Declaring
 * {@link JdbcCustomConversions} replaces only Boot's default conversions; the rest of
 * Boot's Spring Data JDBC setup stays as it is.
 */
@Configuration(proxyBeanMethods = false)
class JdbcConversionsConfiguration {

    @Bean
    JdbcCustomConversions jdbcCustomConversions(JdbcDialect dialect, JsonMapper jsonMapper) {
        // With the dialect's own converters, as Boot's default would have them.
        return JdbcCustomConversions.of(dialect, TokenAttributesConverters.all(jsonMapper));
    }

}
