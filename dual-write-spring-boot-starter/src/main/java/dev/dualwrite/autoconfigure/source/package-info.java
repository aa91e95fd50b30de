/**
 * Old stores other than Redis that an application declares: an {@link OldStoreSource} lists
 * the repositories whose data lives in it; a {@link JdbcSource} is the one for relational
 * databases, whose Spring Data JDBC repositories' tables are the data's old home.
 */
@NullMarked
package dev.dualwrite.autoconfigure.source;

import org.jspecify.annotations.NullMarked;
