package dev.dualwrite.verify.app;

import dev.dualwrite.contract.FailFastRedisClient;
import dev.dualwrite.core.redis.json.EnableRedisJsonRepositories;
import dev.dualwrite.verify.app.jdbc.ParityTokenRowRepository;
import dev.dualwrite.verify.app.redis.ParityTokenRepository;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;

/**
 * A host application with JSON-string repositories each paired with a JDBC repository of the
 * same type: {@code parity_tokens}, and {@code parity_counters} with numeric ids.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableRedisJsonRepositories(basePackageClasses = ParityTokenRepository.class)
@EnableJdbcRepositories(basePackageClasses = ParityTokenRowRepository.class)
@Import(FailFastRedisClient.class)
public class ParityJsonApplication {

}
