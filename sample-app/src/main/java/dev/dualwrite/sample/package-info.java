/**
 * The sample token service: tokens and premium subscriptions served over REST, stored in
 * Redis and migrated to PostgreSQL by the dual-write starter.
 */
@NullMarked
package dev.dualwrite.sample;

import org.jspecify.annotations.NullMarked;
