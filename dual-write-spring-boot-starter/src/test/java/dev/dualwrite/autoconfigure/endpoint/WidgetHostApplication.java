package dev.dualwrite.autoconfigure.endpoint;

import dev.dualwrite.autoconfigure.fixtures.widget.jdbc.WidgetRowRepository;
import dev.dualwrite.autoconfigure.fixtures.widget.redis.WidgetRepository;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;

/**
 * A host web application with one {@code @RedisHash} repository and its JDBC counterpart,
 * paired automatically as {@code autoconf_widgets}. Its security is added per test.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@EnableRedisRepositories(basePackageClasses = WidgetRepository.class)
@EnableJdbcRepositories(basePackageClasses = WidgetRowRepository.class)
class WidgetHostApplication {

}
