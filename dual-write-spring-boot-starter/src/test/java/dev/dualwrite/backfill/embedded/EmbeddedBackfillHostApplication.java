package dev.dualwrite.backfill.embedded;

import dev.dualwrite.backfill.embedded.jdbc.SubscriberRowRepository;
import dev.dualwrite.backfill.embedded.redis.SubscriberRepository;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;

/**
 * A host application whose only paired repository, {@code backfill_subscribers}, maps
 * embedded value objects ({@link Subscriber}).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableRedisRepositories(basePackageClasses = SubscriberRepository.class)
@EnableJdbcRepositories(basePackageClasses = SubscriberRowRepository.class)
public class EmbeddedBackfillHostApplication {

}
