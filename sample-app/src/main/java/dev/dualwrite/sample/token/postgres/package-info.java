/**
 * The PostgreSQL side of tokens: the {@code tokens} table mapped with Spring Data JDBC,
 * attributes as JSONB.
 */
@NullMarked
package dev.dualwrite.sample.token.postgres;

import org.jspecify.annotations.NullMarked;
