package dev.dualwrite.core.redis.json;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an entity that is stored in Redis as one JSON string per entity under
 * {@code keyPrefix + id}, and makes repositories of it belong to the Redis JSON module
 * (also in strict repository configuration, when other Spring Data modules are present).
 * <p>
 * The id is the property annotated with {@link org.springframework.data.annotation.Id @Id}
 * (a field or a record component); it is converted to the key's suffix with Spring's
 * {@code ConversionService}, and ids are assigned by the application.
 * <p>
 * A value under the prefix that cannot be read as the entity makes {@code findById} of its
 * key fail; multi-key reads leave it out and go on, unless {@link #unreadableValues()} says
 * otherwise.
 *
 * <pre class="code">
 * &#064;RedisJson(keyPrefix = "token:")
 * public record Token(&#064;Id String id, Holder holder, Instant issuedAt) {}
 * </pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RedisJson {

    /**
     * The prefix of every key of this entity, e.g. {@code "token:"}; must not be empty, since
     * an empty prefix would make every key of the database look like an entity. It may hold
     * {@code ${...}} placeholders, resolved against the Spring {@code Environment} (useful for
     * per-environment or per-tenant prefixes). Glob characters ({@code * ? [ ] \}) are allowed
     * and are escaped when the prefix is scanned.
     * @return the key prefix
     */
    String keyPrefix();

    /**
     * What {@code findAll}, {@code findAllById}, derived queries and pages of this entity's
     * repositories do with a value they cannot read: leave it out ({@code SKIP}: logged once
     * per key, counted) or fail the call ({@code FAIL}). {@code DEFAULT} takes the policy of
     * {@link EnableRedisJsonRepositories#unreadableValues()}, which is {@code SKIP} unless set.
     * {@code findById} of an unreadable value fails under every policy.
     * @return the policy for unreadable values
     */
    UnreadableValuePolicy unreadableValues() default UnreadableValuePolicy.DEFAULT;

}
