/**
 * Keys that expire: the expiry of a Redis key carried into a mapped PostgreSQL column and
 * back, expired rows hidden from reads and deleted by a background sweep.
 */
@NullMarked
package dev.dualwrite.core.expiry;

import org.jspecify.annotations.NullMarked;
