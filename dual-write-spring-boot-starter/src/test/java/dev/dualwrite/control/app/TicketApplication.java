package dev.dualwrite.control.app;

import dev.dualwrite.contract.FailFastRedisClient;
import dev.dualwrite.control.app.jdbc.TicketRowRepository;
import dev.dualwrite.control.app.redis.TicketRepository;
import dev.dualwrite.core.redis.json.EnableRedisJsonRepositories;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;

/**
 * A host application with one JSON-string Redis repository and one JDBC repository of the
 * same type, started several times in one JVM as the instances of one service. The pair's
 * name is set by {@code dual-write.repositories.<name>} so that each test class has its own
 * (the Redis repair log is keyed by it).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableRedisJsonRepositories(basePackageClasses = TicketRepository.class)
@EnableJdbcRepositories(basePackageClasses = TicketRowRepository.class)
@Import(FailFastRedisClient.class)
public class TicketApplication {

}
