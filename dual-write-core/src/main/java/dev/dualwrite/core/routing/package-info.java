/**
 * The repository decorator: pairs the application's Redis repository with a PostgreSQL
 * repository and routes each call by the repository's current write strategy.
 */
@NullMarked
package dev.dualwrite.core.routing;

import org.jspecify.annotations.NullMarked;
