package dev.dualwrite.contract;

import io.lettuce.core.ClientOptions;

import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Makes Lettuce reject commands while disconnected instead of queueing them until the
 * command timeout, so a refused Redis fails calls at once as a real outage does.
 */
@Configuration(proxyBeanMethods = false)
public class FailFastRedisClient {

    @Bean
    LettuceClientOptionsBuilderCustomizer rejectCommandsWhileDisconnected() {
        return (options) -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }

}
