package dev.dualwrite.secondary.app;

import dev.dualwrite.secondary.app.jdbc.HungItemRowRepository;
import dev.dualwrite.secondary.app.redis.HungItemRepository;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;

/**
 * A host application with one {@code @RedisHash} repository paired with a JDBC repository,
 * and nothing tuned: Lettuce and Hikari keep their defaults (no fail-fast Redis client).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableRedisRepositories(basePackageClasses = HungItemRepository.class)
@EnableJdbcRepositories(basePackageClasses = HungItemRowRepository.class)
public class HungSecondaryApplication {

}
