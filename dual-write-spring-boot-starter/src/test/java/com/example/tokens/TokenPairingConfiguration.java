package com.example.tokens;

import com.example.tokens.jdbc.TokenRow;
import com.example.tokens.jdbc.TokenRowRepository;
import com.example.tokens.redis.TokenRepository;
import dev.dualwrite.core.routing.RepositoryPairing;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class TokenPairingConfiguration {

    @Bean
    RepositoryPairing<Token, TokenRow> tokens() {
        return RepositoryPairing.of("tokens", TokenRepository.class, TokenRowRepository.class)
            .mappedBy(TokenRow::fromToken, TokenRow::toToken);
    }

}
