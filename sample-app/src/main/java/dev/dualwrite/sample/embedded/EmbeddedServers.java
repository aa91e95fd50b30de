package dev.dualwrite.sample.embedded;

import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * Lets the sample run on a machine without servers: before the context refreshes, starts an
 * in-process PostgreSQL when {@code spring.datasource.url} is unset, and an in-process Redis
 * when none of {@code spring.data.redis.host}, {@code .url} and {@code .port} is set, and
 * points those properties at them. The servers stop when the context closes, after every
 * bean that uses them. Either way it logs (INFO) which servers the application uses.
 * <p>
 * Registered by {@link dev.dualwrite.sample.SampleApplication#main} only, so tests and real
 * deployments, which configure their servers, never start one.
 */
public class EmbeddedServers implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    /** Name of the property source that points Spring at the embedded servers. */
    public static final String PROPERTY_SOURCE_NAME = "embeddedServers";

    private static final Logger logger = LoggerFactory.getLogger(EmbeddedServers.class);

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        try {
            useOrStartServers(context);
        }
        catch (RuntimeException ex) {
            // The context never refreshed, so closing it would not stop a server started here.
            context.getBeanFactory().destroySingletons();
            throw ex;
        }
    }

    private void useOrStartServers(ConfigurableApplicationContext context) {
        ConfigurableEnvironment environment = context.getEnvironment();
        Map<String, Object> properties = new LinkedHashMap<>();
        if (isSet(environment, "spring.datasource.url")) {
            logger.info("PostgreSQL: using {} (configured by spring.datasource.url)",
                    ServerAddresses.describeJdbcUrl(environment.getProperty("spring.datasource.url", "")));
        }
        else {
            EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start();
            stopWithContext(context, "embeddedPostgresServer", postgres);
            properties.putAll(postgres.springProperties());
            logger.info("PostgreSQL: using embedded server at {} (database {}, user {}); "
                    + "set spring.datasource.url to use another", postgres.address(), postgres.database(),
                    postgres.username());
        }
        if (isSet(environment, "spring.data.redis.host") || isSet(environment, "spring.data.redis.url")
                || isSet(environment, "spring.data.redis.port")) {
            logger.info("Redis: using {} (configured by spring.data.redis.*)", ServerAddresses.describeRedis(environment));
        }
        else {
            EmbeddedRedisServer redis = EmbeddedRedisServer.start();
            stopWithContext(context, "embeddedRedisServer", redis);
            properties.putAll(redis.springProperties());
            logger.info("Redis: using embedded server at {}; set spring.data.redis.host to use another",
                    redis.address());
        }
        if (!properties.isEmpty()) {
            // First, so the embedded servers win over defaults in application.yml.
            environment.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE_NAME, properties));
        }
    }

    // A singleton registered now is destroyed last, after the pool and everything else that
    // uses the server, and also when the context fails to start (the beans already made are
    // destroyed then, so a later failure still stops the server).
    private static void stopWithContext(ConfigurableApplicationContext context, String name, AutoCloseable server) {
        ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
        Assert.isInstanceOf(DefaultSingletonBeanRegistry.class, beanFactory,
                "EmbeddedServers needs a DefaultSingletonBeanRegistry");
        beanFactory.registerSingleton(name, server);
        ((DefaultSingletonBeanRegistry) beanFactory).registerDisposableBean(name, server::close);
    }

    private static boolean isSet(ConfigurableEnvironment environment, String property) {
        return StringUtils.hasText(environment.getProperty(property));
    }

}
