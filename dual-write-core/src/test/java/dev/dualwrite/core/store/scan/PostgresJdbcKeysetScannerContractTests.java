package dev.dualwrite.core.store.scan;

import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.annotation.Id;
import org.springframework.data.jdbc.core.dialect.JdbcPostgresDialect;
import org.springframework.data.relational.core.mapping.Table;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@link JdbcKeysetScanner} over an old schema of the same PostgreSQL keeps the scanner
 * protocol, in a schema of its own that is dropped after the class. Its ids are text with a
 * {@code ':'} in them, which positions carry unescaped; a status the entity's enum does not
 * know is the reject case.
 */
class PostgresJdbcKeysetScannerContractTests
        extends ScanItemTableContractTests<PostgresJdbcKeysetScannerContractTests.Item, String> {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(PostgresJdbcKeysetScannerContractTests.class);

    private static JdbcTemplate jdbc;

    @BeforeAll
    static void createTable() {
        jdbc = new JdbcTemplate(schema.dataSource());
        jdbc.execute("create table scan_item (id text primary key, name text not null, status text not null)");
    }

    @Override
    protected JdbcTemplate jdbc() {
        return jdbc;
    }

    @Override
    protected OldStoreScanner<Item, String> createScanner() {
        return JdbcScanStores.scanner(Item.class, String.class, schema.dataSource(), JdbcPostgresDialect.INSTANCE);
    }

    @Override
    protected String id(int n) {
        return "item:" + n;
    }

    @Override
    protected String nameOf(Item item) {
        return item.name();
    }

    @Table("scan_item")
    record Item(@Id String id, String name, Status status) {
    }

}
