package dev.dualwrite.repair.app;

import dev.dualwrite.contract.FailFastRedisClient;
import dev.dualwrite.repair.app.jdbc.RepairItemRowRepository;
import dev.dualwrite.repair.app.redis.RepairItemRepository;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;

/**
 * A host application with one {@code @RedisHash} repository paired with a JDBC repository of
 * the same type, as {@code parity_repair_items}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableRedisRepositories(basePackageClasses = RepairItemRepository.class)
@EnableJdbcRepositories(basePackageClasses = RepairItemRowRepository.class)
@Import(FailFastRedisClient.class)
public class RepairHashApplication {

}
