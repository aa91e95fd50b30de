/**
 * The API clients of the token service, kept in a SQLite file before the migration: the
 * SQLite-to-PostgreSQL plan, run by the {@code sqlite} profile. The application keeps
 * injecting its SQLite repository; the dual-write starter walks it to PostgreSQL.
 */
@NullMarked
package dev.dualwrite.sample.client;

import org.jspecify.annotations.NullMarked;
