package dev.dualwrite.contract.hash;

import dev.dualwrite.contract.FailFastRedisClient;
import dev.dualwrite.contract.hash.jdbc.ItemRowRepository;
import dev.dualwrite.contract.hash.redis.ItemRepository;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;

/**
 * A host application with one {@code @RedisHash} repository and one JDBC repository of the
 * same domain type, in separate packages: paired automatically as {@code hash_items}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableRedisRepositories(basePackageClasses = ItemRepository.class)
@EnableJdbcRepositories(basePackageClasses = ItemRowRepository.class)
@Import(FailFastRedisClient.class)
public class HashContractApplication {

}
