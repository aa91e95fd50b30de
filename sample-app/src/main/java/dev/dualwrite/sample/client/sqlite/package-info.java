/**
 * The clients' old store: a table in a SQLite file, reached through its own
 * {@code DataSource} and Spring Data JDBC set-up.
 */
@NullMarked
package dev.dualwrite.sample.client.sqlite;

import org.jspecify.annotations.NullMarked;
