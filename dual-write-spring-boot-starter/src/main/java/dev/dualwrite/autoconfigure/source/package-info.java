/**
 * Old stores other than Redis that an application declares: a {@link JdbcSource} names the
 * Spring Data JDBC repositories whose tables are the data's old home.
 */
@NullMarked
package dev.dualwrite.autoconfigure.source;

import org.jspecify.annotations.NullMarked;
