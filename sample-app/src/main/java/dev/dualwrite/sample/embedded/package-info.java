/**
 * In-process PostgreSQL and Redis for running the sample without servers; used only when
 * none are configured.
 */
@NullMarked
package dev.dualwrite.sample.embedded;

import org.jspecify.annotations.NullMarked;
