/**
 * The Redis (JSON string) side of tokens; enabled on its own so that no other Spring Data
 * module claims these interfaces.
 */
@NullMarked
package dev.dualwrite.sample.token.redis;

import org.jspecify.annotations.NullMarked;
