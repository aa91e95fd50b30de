/**
 * Comparison of entities across the two stores, ignoring how each store represents a value.
 */
@NullMarked
package dev.dualwrite.core.compare;

import org.jspecify.annotations.NullMarked;
