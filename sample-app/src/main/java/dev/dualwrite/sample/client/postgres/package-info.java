/**
 * The clients' new store: the {@code clients} table in PostgreSQL.
 */
@NullMarked
package dev.dualwrite.sample.client.postgres;

import org.jspecify.annotations.NullMarked;
