package dev.dualwrite.inventory;

import dev.dualwrite.core.redis.json.EnableRedisJsonRepositories;
import dev.dualwrite.inventory.hashredis.CrateRepository;
import dev.dualwrite.inventory.jdbc.CrateRowRepository;
import dev.dualwrite.inventory.jsonredis.ParcelRepository;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

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

    /**
     * The actuator behind HTTP Basic, as an operator's scripts call it: no CSRF token for its
     * POSTs (no browser session to protect).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication
    static class Security {

        @Bean
        SecurityFilterChain security(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
                .httpBasic(Customizer.withDefaults())
                .csrf((csrf) -> csrf.ignoringRequestMatchers(EndpointRequest.toAnyEndpoint()))
                .build();
        }

    }

}
