/**
 * Spring Boot support of the backfill: properties, auto-configuration, the
 * {@code dualwritebackfill} actuator endpoint and the one-shot run
 * ({@code --dual-write.backfill.run=...}).
 */
@NullMarked
package dev.dualwrite.autoconfigure.backfill;

import org.jspecify.annotations.NullMarked;
