/** Wiring of the sample: repositories per store, JDBC conversions and security. */
@NullMarked
package dev.dualwrite.sample.config;

import org.jspecify.annotations.NullMarked;
