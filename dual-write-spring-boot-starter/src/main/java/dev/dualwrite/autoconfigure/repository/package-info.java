/**
 * Pairing of Redis and JDBC repositories and the hook that decorates Redis repositories.
 */
@NullMarked
package dev.dualwrite.autoconfigure.repository;

import org.jspecify.annotations.NullMarked;
