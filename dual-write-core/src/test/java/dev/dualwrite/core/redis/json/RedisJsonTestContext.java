package dev.dualwrite.core.redis.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TestKeyPrefix;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Plain Spring contexts (no Spring Boot) for the Redis JSON tests: a Lettuce connection
 * factory named {@code redisConnectionFactory} to the test Redis, and the test class's key
 * prefix as property {@value #PREFIX_PROPERTY}, which {@link JsonToken}'s key prefix uses.
 */
final class RedisJsonTestContext {

    static final String PREFIX_PROPERTY = "redis-json-test.prefix";

    private RedisJsonTestContext() {
    }

    /**
     * Start a context.
     * @param keys the test class's key prefix
     * @param configurations configuration classes
     * @return the refreshed context
     */
    static AnnotationConfigApplicationContext start(TestKeyPrefix keys, Class<?>... configurations) {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.getEnvironment()
            .getPropertySources()
            .addFirst(new MapPropertySource("redis-json-test", Map.of(PREFIX_PROPERTY, keys.prefix())));
        context.registerBean("redisConnectionFactory", LettuceConnectionFactory.class,
                () -> connectionFactory(keys.server()));
        context.register(configurations);
        try {
            context.refresh();
        }
        catch (RuntimeException ex) {
            context.close();
            throw ex;
        }
        return context;
    }

    static LettuceConnectionFactory connectionFactory(RedisServer server) {
        return new LettuceConnectionFactory(new RedisStandaloneConfiguration(server.host(), server.port()));
    }

    static StringRedisTemplate redis(AnnotationConfigApplicationContext context) {
        return new StringRedisTemplate(context.getBean(LettuceConnectionFactory.class));
    }

    /** Return the messages of an exception and all its causes, for assertions on startup failures. */
    static String messages(Throwable failure) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.add(t.getClass().getName() + ": " + t.getMessage());
        }
        return String.join("\n", messages);
    }

}
