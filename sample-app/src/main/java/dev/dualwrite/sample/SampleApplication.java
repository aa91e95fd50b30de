package dev.dualwrite.sample;

import dev.dualwrite.sample.embedded.EmbeddedServers;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The token service of the migration plan: a REST API over tokens (JSON strings in Redis)
 * and premium subscriptions ({@code @RedisHash} entities), with the dual-write starter on the
 * classpath so that operators can walk both repositories from Redis to PostgreSQL.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SampleApplication {

    public static void main(String[] args) {
        application().run(args);
    }

    /**
     * Return the application as {@link #main} runs it: with {@link EmbeddedServers}, which
     * starts PostgreSQL and Redis in-process when none are configured.
     * @return the application, not yet running
     */
    static SpringApplication application() {
        SpringApplication application = new SpringApplication(SampleApplication.class);
        // Only the demo's own entry point starts servers in-process; @SpringBootTest tests and
        // real deployments configure spring.datasource.* and spring.data.redis.* instead.
        application.addInitializers(new EmbeddedServers());
        return application;
    }

}
