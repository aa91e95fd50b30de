package dev.dualwrite.sample.config;

import dev.dualwrite.core.redis.json.EnableRedisJsonRepositories;
import dev.dualwrite.sample.subscription.postgres.SubscriptionRowRepository;
import dev.dualwrite.sample.subscription.redis.SubscriptionRepository;
import dev.dualwrite.sample.token.postgres.TokenRowRepository;
import dev.dualwrite.sample.token.redis.TokenRepository;

import org.springframework.context.annotation.Configuration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;

/**
 * Enables each store's repositories on its own packages. With Redis, Redis JSON and JDBC
 * repositories on one classpath, a repository claimed by two modules would be created twice
 * (or by the wrong one); separate packages keep every interface unambiguous.
 */
@Configuration(proxyBeanMethods = false)
@EnableRedisJsonRepositories(basePackageClasses = TokenRepository.class)
@EnableRedisRepositories(basePackageClasses = SubscriptionRepository.class)
@EnableJdbcRepositories(basePackageClasses = { TokenRowRepository.class, SubscriptionRowRepository.class })
class RepositoriesConfiguration {

}
