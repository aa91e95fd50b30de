package dev.dualwrite.core.expiry;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the property of a PostgreSQL entity that holds when its Redis key expires (an
 * {@link java.time.Instant} or {@link java.time.OffsetDateTime} mapped to a
 * {@code timestamptz} column, {@code null} for a key without expiry). The same as setting
 * {@code dual-write.repositories.<name>.expiry.property}; see {@link ExpiryColumn}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.FIELD, ElementType.METHOD, ElementType.ANNOTATION_TYPE, ElementType.RECORD_COMPONENT })
public @interface ExpiresAt {

}
