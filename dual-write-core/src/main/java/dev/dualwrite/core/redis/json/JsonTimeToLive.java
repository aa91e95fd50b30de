package dev.dualwrite.core.redis.json;

import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.data.mapping.PersistentPropertyAccessor;
import org.springframework.data.mapping.model.EntityInstantiators;
import org.springframework.data.mapping.model.InstantiationAwarePropertyAccessor;
import org.springframework.data.redis.core.TimeToLive;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

/**
 * The {@link TimeToLive} property of a JSON entity type, if it declares one, with the meaning
 * Spring Data Redis gives it on {@code @RedisHash} entities: written as the key's expiry on
 * save, read back from the key's remaining time to live on load ({@code -1} when the key has
 * no expiry).
 * <p>
 * On save, a {@code null} value (or a type without the property) keeps the key's current
 * expiry ({@code SET ... KEEPTTL}), a positive value sets a new one, zero or less removes it.
 * @param <T> the entity type
 */
final class JsonTimeToLive<T> {

    /** What {@link #pxOf} answers for "keep the key's current expiry". */
    static final long KEEP = -1;

    /** What {@link #pxOf} answers for "no expiry". */
    static final long PERSIST = 0;

    private final RedisJsonPersistentEntity<T> entity;

    private final @Nullable RedisJsonPersistentProperty property;

    private final TimeUnit unit;

    private final EntityInstantiators instantiators = new EntityInstantiators();

    JsonTimeToLive(RedisJsonPersistentEntity<T> entity) {
        this.entity = entity;
        this.property = entity.getPersistentProperty(TimeToLive.class);
        TimeToLive annotation = (this.property != null) ? this.property.findAnnotation(TimeToLive.class) : null;
        this.unit = (annotation != null) ? annotation.unit() : TimeUnit.SECONDS;
        if (this.property != null) {
            Class<?> type = ClassUtils.resolvePrimitiveIfNecessary(this.property.getType());
            Assert.state(Number.class.isAssignableFrom(type), () -> entity.getType().getName() + "."
                    + this.property.getName() + " is annotated with @TimeToLive but is not a number");
        }
    }

    /** Return whether the type declares a {@link TimeToLive} property, so loads read it back. */
    boolean declared() {
        return this.property != null;
    }

    /**
     * Return the expiry a save gives the key, in milliseconds: {@link #KEEP}, {@link #PERSIST}
     * or a positive time to live.
     * @param value the entity being saved
     * @return the expiry in milliseconds, or one of the two markers
     */
    long pxOf(T value) {
        if (this.property == null) {
            return KEEP;
        }
        Object ttl = this.entity.getPropertyAccessor(value).getProperty(this.property);
        if (ttl == null) {
            return KEEP;
        }
        long amount = ((Number) ttl).longValue();
        return (amount > 0) ? Math.max(1, this.unit.toMillis(amount)) : PERSIST;
    }

    /**
     * Return the entity with its time-to-live property set from the key's {@code PTTL}.
     * @param value the entity as read
     * @param pttl the key's remaining time to live in milliseconds, {@code -1} for none (never
     * {@code -2}: the callers treat a key gone by its {@code PTTL} as not found, since read as
     * "no expiry" a save of it back would make a key that should be gone permanent)
     * @return the entity, a new instance for an immutable type
     */
    T withRemaining(T value, long pttl) {
        if (this.property == null) {
            return value;
        }
        // Rounded up, so a key that still exists never reads as "expires in 0".
        long unitMillis = Math.max(1, this.unit.toMillis(1));
        long remaining = (pttl < 0) ? -1 : Math.max(1, (pttl + unitMillis - 1) / unitMillis);
        PersistentPropertyAccessor<T> accessor = new InstantiationAwarePropertyAccessor<>(value,
                this.entity::getPropertyAccessor, this.instantiators);
        Class<?> type = ClassUtils.resolvePrimitiveIfNecessary(this.property.getType());
        accessor.setProperty(this.property, convert(remaining, type));
        return accessor.getBean();
    }

    private static Number convert(long value, Class<?> type) {
        if (type == Integer.class) {
            return (int) Math.min(Integer.MAX_VALUE, value);
        }
        if (type == Double.class) {
            return (double) value;
        }
        if (type == Float.class) {
            return (float) value;
        }
        if (type == Short.class) {
            return (short) Math.min(Short.MAX_VALUE, value);
        }
        return value;
    }

}
