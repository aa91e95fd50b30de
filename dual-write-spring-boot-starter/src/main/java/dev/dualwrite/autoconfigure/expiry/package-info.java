/**
 * Key expiry wiring: each repository's expiry column from its properties, and the
 * background sweep of expired rows.
 */
@NullMarked
package dev.dualwrite.autoconfigure.expiry;

import org.jspecify.annotations.NullMarked;
