package dev.dualwrite.core.redis.json;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.context.annotation.Import;
import org.springframework.data.repository.config.BootstrapMode;
import org.springframework.data.repository.config.DefaultRepositoryBaseClass;
import org.springframework.data.repository.query.QueryLookupStrategy.Key;

/**
 * Enables Spring Data repositories for {@link RedisJson} entities: each repository interface
 * found in the base packages (by default the package of the annotated class) whose domain
 * type carries {@code @RedisJson} gets a {@link RedisJsonRepositoryFactoryBean}.
 *
 * <pre class="code">
 * &#064;Configuration
 * &#064;EnableRedisJsonRepositories(basePackageClasses = TokenRepository.class)
 * class RepositoryConfig {}
 * </pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Import(RedisJsonRepositoriesRegistrar.class)
public @interface EnableRedisJsonRepositories {

    /**
     * Alias for {@link #basePackages()}.
     * @return base packages to scan
     */
    String[] value() default {};

    /**
     * Base packages to scan for repository interfaces.
     * @return base packages to scan
     */
    String[] basePackages() default {};

    /**
     * Type-safe alternative to {@link #basePackages()}: the package of each class is scanned.
     * @return classes whose packages are scanned
     */
    Class<?>[] basePackageClasses() default {};

    /**
     * Which interfaces qualify, beyond being repositories in the base packages.
     * @return include filters
     */
    Filter[] includeFilters() default {};

    /**
     * Which interfaces are left out.
     * @return exclude filters
     */
    Filter[] excludeFilters() default {};

    /**
     * Postfix of the class names of custom repository implementations (fragments).
     * @return the postfix
     */
    String repositoryImplementationPostfix() default "Impl";

    /**
     * Spring Data's standard attribute; this module derives every query from the method name
     * and reads no named queries.
     * @return the location of named queries
     */
    String namedQueriesLocation() default "";

    /**
     * How query methods are resolved; every strategy but {@code USE_DECLARED_QUERY} derives
     * them from the method name, which is all this module supports.
     * @return the lookup strategy
     */
    Key queryLookupStrategy() default Key.CREATE_IF_NOT_FOUND;

    /**
     * The factory bean class of each repository.
     * @return the factory bean class
     */
    Class<?> repositoryFactoryBeanClass() default RedisJsonRepositoryFactoryBean.class;

    /**
     * A base class to use instead of {@link SimpleRedisJsonRepository}; it needs a
     * constructor taking a {@link RedisJsonStore} and a {@link RedisJsonSorting}.
     * @return the base class
     */
    Class<?> repositoryBaseClass() default DefaultRepositoryBaseClass.class;

    /**
     * Whether repository interfaces nested in other classes are considered.
     * @return whether to consider nested interfaces
     */
    boolean considerNestedRepositories() default false;

    /**
     * When repositories are created: at startup, lazily on first use, or deferred.
     * @return the bootstrap mode
     */
    BootstrapMode bootstrapMode() default BootstrapMode.DEFAULT;

    /**
     * Name of the {@code RedisConnectionFactory} bean the repositories use.
     * @return the bean name
     */
    String redisConnectionFactoryRef() default "redisConnectionFactory";

    /**
     * Name of the {@code tools.jackson.databind.json.JsonMapper} bean that reads and writes the
     * values; empty means the application's single (or primary) {@code JsonMapper} bean, or a
     * default {@code JsonMapper.builder().findAndAddModules().build()} when there is none.
     * @return the bean name, or empty
     */
    String jsonMapperRef() default "";

    /**
     * What multi-key reads ({@code findAll}, {@code findAllById}, derived queries, pages) of
     * the enabled repositories do with a value they cannot read: {@code SKIP} (also what
     * {@code DEFAULT} means here) leaves it out, logs the key once and tells every
     * {@link UnreadableValueListener} bean; {@code FAIL} fails the call with a
     * {@link RedisJsonReadException}. An entity's own {@link RedisJson#unreadableValues()}
     * wins over this one.
     * @return the policy for unreadable values
     */
    UnreadableValuePolicy unreadableValues() default UnreadableValuePolicy.SKIP;

}
