package dev.dualwrite.inventory;

import dev.dualwrite.core.redis.json.EnableRedisJsonRepositories;
import dev.dualwrite.inventory.hashredis.CrateRepository;
import dev.dualwrite.inventory.jdbc.CrateRowRepository;
import dev.dualwrite.inventory.jsonredis.ParcelRepository;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;

/**
 * A host application with both Redis shapes: {@code inventory_crates} ({@code @RedisHash} with
 * an index) and {@code inventory_parcels} (JSON strings).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableRedisRepositories(basePackageClasses = CrateRepository.class, keyspaceConfiguration = InventoryKeyspaces.class)
@EnableRedisJsonRepositories(basePackageClasses = ParcelRepository.class)
@EnableJdbcRepositories(basePackageClasses = CrateRowRepository.class)
public class InventoryHostApplication {

    /** The property that names the test run's key prefix (the keyspace of {@link Crate} is under it). */
    static final String PREFIX = "dwtest.inventory.prefix";

    /**
     * Run as a child process by the one-shot run's test, with the parent's key prefix.
     * @param args {@code --key=value} properties, {@code --dwtest.inventory.prefix} among them
     */
    public static void main(String[] args) {
        for (String arg : args) {
            if (arg.startsWith("--" + PREFIX + "=")) {
                // Read by InventoryKeyspaces, which Spring Data creates without the environment.
                System.setProperty(PREFIX, arg.substring(PREFIX.length() + 3));
            }
        }
        SpringApplication.run(InventoryHostApplication.class, args);
    }

}
