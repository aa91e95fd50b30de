package dev.dualwrite.contract.jdbc;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * One domain type for both stores: a row of {@code jdbc_items} in the old schema and a row of
 * {@code jdbc_items} in the new one.
 */
@Table("jdbc_items")
public record JdbcItem(@Id String id, String name, String category, int quantity) {

}
