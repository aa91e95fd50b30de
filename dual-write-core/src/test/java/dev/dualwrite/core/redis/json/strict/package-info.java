/**
 * Repositories for the strict-configuration test, in their own package so that they are
 * found by scanning without include filters (explicit filters switch strictness off).
 */
@NullMarked
package dev.dualwrite.core.redis.json.strict;

import org.jspecify.annotations.NullMarked;
