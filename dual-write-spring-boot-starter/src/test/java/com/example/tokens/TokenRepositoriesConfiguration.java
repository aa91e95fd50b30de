package com.example.tokens;

import com.example.tokens.jdbc.TokenRowRepository;
import com.example.tokens.redis.TokenRepository;
import dev.dualwrite.core.redis.json.EnableRedisJsonRepositories;

import org.springframework.context.annotation.Configuration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;

@Configuration(proxyBeanMethods = false)
@EnableRedisJsonRepositories(basePackageClasses = TokenRepository.class)
@EnableJdbcRepositories(basePackageClasses = TokenRowRepository.class)
class TokenRepositoriesConfiguration {

}
