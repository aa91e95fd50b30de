/**
 * Micrometer meters under {@code dualwrite.*}.
 */
@NullMarked
package dev.dualwrite.core.metrics;

import org.jspecify.annotations.NullMarked;
