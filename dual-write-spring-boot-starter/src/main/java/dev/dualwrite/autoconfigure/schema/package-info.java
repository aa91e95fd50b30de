/**
 * The library's own tables, migrated with Flyway apart from the application's.
 */
@NullMarked
package dev.dualwrite.autoconfigure.schema;

import org.jspecify.annotations.NullMarked;
