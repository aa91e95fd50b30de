/**
 * Wiring of dual-write's meters into the application's meter registry.
 */
@NullMarked
package dev.dualwrite.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
