/**
 * Protection of the secondary store: time limits, circuit breakers and the failure policy.
 */
@NullMarked
package dev.dualwrite.core.secondary;

import org.jspecify.annotations.NullMarked;
