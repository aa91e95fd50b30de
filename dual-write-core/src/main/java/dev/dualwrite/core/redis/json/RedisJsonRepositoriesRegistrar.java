package dev.dualwrite.core.redis.json;

import java.lang.annotation.Annotation;

import org.springframework.data.repository.config.RepositoryBeanDefinitionRegistrarSupport;
import org.springframework.data.repository.config.RepositoryConfigurationExtension;

/**
 * Registers the Redis JSON repositories that {@link EnableRedisJsonRepositories} asks for, as
 * Spring Data's own modules do.
 */
class RedisJsonRepositoriesRegistrar extends RepositoryBeanDefinitionRegistrarSupport {

    @Override
    protected Class<? extends Annotation> getAnnotation() {
        return EnableRedisJsonRepositories.class;
    }

    @Override
    protected RepositoryConfigurationExtension getExtension() {
        return new RedisJsonRepositoryConfigurationExtension();
    }

}
