/**
 * The migration stages and where each repository's current stage comes from.
 */
@NullMarked
package dev.dualwrite.core.strategy;

import org.jspecify.annotations.NullMarked;
