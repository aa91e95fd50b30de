/** The PostgreSQL side of subscriptions, through Spring Data JDBC. */
@NullMarked
package dev.dualwrite.sample.subscription.postgres;

import org.jspecify.annotations.NullMarked;
