/**
 * Pairing of old-store repositories (Redis, or repositories an OldStoreSource lists) with
 * the new store's JDBC repositories, and the hook that decorates the old-store repositories.
 */
@NullMarked
package dev.dualwrite.autoconfigure.repository;

import org.jspecify.annotations.NullMarked;
