/**
 * Premium subscriptions: a Spring Data Redis {@code @RedisHash} entity that is also the
 * Spring Data JDBC entity of the {@code subscriptions} table.
 */
@NullMarked
package dev.dualwrite.sample.subscription;

import org.jspecify.annotations.NullMarked;
