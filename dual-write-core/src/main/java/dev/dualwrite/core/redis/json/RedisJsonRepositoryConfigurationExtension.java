package dev.dualwrite.core.redis.json;

import java.lang.annotation.Annotation;
import java.util.Collection;
import java.util.List;

import org.springframework.beans.factory.support.BeanDefinitionBuilder;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.core.annotation.AnnotationAttributes;
import org.springframework.data.repository.config.AnnotationRepositoryConfigurationSource;
import org.springframework.data.repository.config.RepositoryConfigurationExtensionSupport;
import org.springframework.data.repository.config.RepositoryConfigurationSource;
import org.springframework.util.StringUtils;

/**
 * The Spring Data configuration of the Redis JSON module: it claims repositories whose
 * domain type carries {@link RedisJson} (in strict configuration, when several Spring Data
 * modules are on the classpath, only those), registers one shared
 * {@link RedisJsonMappingContext} as {@value #MAPPING_CONTEXT_BEAN_NAME}, and wires each
 * {@link RedisJsonRepositoryFactoryBean} to the connection factory, JSON mapper and
 * unreadable-value policy named on {@link EnableRedisJsonRepositories}.
 */
public class RedisJsonRepositoryConfigurationExtension extends RepositoryConfigurationExtensionSupport {

    /** Bean name of the mapping context shared by all Redis JSON repositories. */
    public static final String MAPPING_CONTEXT_BEAN_NAME = "redisJsonMappingContext";

    @Override
    public String getModuleName() {
        return "Redis JSON";
    }

    // Still abstract in Spring Data 4, though deprecated in favour of getModuleIdentifier(),
    // whose default derives "redis-json" from the module name.
    @Override
    @SuppressWarnings("deprecation")
    protected String getModulePrefix() {
        return "redis-json";
    }

    @Override
    public String getRepositoryFactoryBeanClassName() {
        return RedisJsonRepositoryFactoryBean.class.getName();
    }

    @Override
    public String getRepositoryBaseClassName() {
        return SimpleRedisJsonRepository.class.getName();
    }

    @Override
    protected Collection<Class<? extends Annotation>> getIdentifyingAnnotations() {
        return List.of(RedisJson.class);
    }

    @Override
    public void registerBeansForRoot(BeanDefinitionRegistry registry, RepositoryConfigurationSource configurationSource) {
        super.registerBeansForRoot(registry, configurationSource);
        registerIfNotAlreadyRegistered(
                () -> BeanDefinitionBuilder.rootBeanDefinition(RedisJsonMappingContext.class).getBeanDefinition(),
                registry, MAPPING_CONTEXT_BEAN_NAME, configurationSource.getSource());
    }

    @Override
    public void postProcess(BeanDefinitionBuilder builder, AnnotationRepositoryConfigurationSource config) {
        AnnotationAttributes attributes = config.getAttributes();
        builder.addPropertyReference("redisConnectionFactory", attributes.getString("redisConnectionFactoryRef"));
        String jsonMapperRef = attributes.getString("jsonMapperRef");
        // Without a reference the factory bean looks up the application's JsonMapper itself,
        // so that an application without one still works.
        if (StringUtils.hasText(jsonMapperRef)) {
            builder.addPropertyReference("jsonMapper", jsonMapperRef);
        }
        builder.addPropertyReference("mappingContext", MAPPING_CONTEXT_BEAN_NAME);
        builder.addPropertyValue("unreadableValues", attributes.getEnum("unreadableValues"));
    }

}
