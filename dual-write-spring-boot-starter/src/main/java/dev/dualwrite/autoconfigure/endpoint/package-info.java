/**
 * The {@code dualwrite} actuator endpoint.
 */
@NullMarked
package dev.dualwrite.autoconfigure.endpoint;

import org.jspecify.annotations.NullMarked;
