package dev.dualwrite.sample.token;

import dev.dualwrite.core.routing.RepositoryPairing;
import dev.dualwrite.sample.token.postgres.TokenRow;
import dev.dualwrite.sample.token.postgres.TokenRowRepository;
import dev.dualwrite.sample.token.redis.TokenRepository;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tells the dual-write starter which PostgreSQL repository backs {@link TokenRepository}.
 * Needed because the two sides use different types ({@link Token} in Redis, {@link TokenRow}
 * in PostgreSQL); subscriptions share one type and are paired without a bean.
 */
@Configuration(proxyBeanMethods = false)
class TokenMigrationConfiguration {

    @Bean
    RepositoryPairing<Token, TokenRow> tokens() {
        return RepositoryPairing.of("tokens", TokenRepository.class, TokenRowRepository.class)
            .mappedBy(TokenRow::fromToken, TokenRow::toToken);
    }

}
