package dev.dualwrite.contract.json;

import dev.dualwrite.contract.FailFastRedisClient;
import dev.dualwrite.contract.json.jdbc.JsonItemRowRepository;
import dev.dualwrite.contract.json.redis.JsonItemRepository;
import dev.dualwrite.core.redis.json.EnableRedisJsonRepositories;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;

/**
 * A host application whose Redis repository keeps JSON strings under a key prefix (the
 * token service's shape) and one JDBC repository of the same domain type: paired
 * automatically as {@code json_items}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableRedisJsonRepositories(basePackageClasses = JsonItemRepository.class)
@EnableJdbcRepositories(basePackageClasses = JsonItemRowRepository.class)
@Import(FailFastRedisClient.class)
public class JsonContractApplication {

}
