package dev.dualwrite.contract.jdbc;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * One domain type for both stores: a row of {@code jdbc_items} in the old schema and a row of
 * {@code jdbc_items} in the new one.
 */
@Table("jdbc_items")
public record JdbcItem(@Id String id, String name, String category, int quantity) {

    /** The old schema's table, as the old application created it. */
    public static final String OLD_TABLE = """
            create table jdbc_items (
                id       varchar(100) primary key,
                name     varchar(200) not null,
                category varchar(100) not null,
                quantity integer      not null
            )""";

}
