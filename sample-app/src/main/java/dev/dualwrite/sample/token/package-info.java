/**
 * Tokens: the entity the service stores as JSON in Redis, and the mapping that pairs its
 * Redis repository with the PostgreSQL {@code tokens} table.
 */
@NullMarked
package dev.dualwrite.sample.token;

import org.jspecify.annotations.NullMarked;
