package dev.dualwrite.core.repair;

import java.time.Duration;

import dev.dualwrite.testsupport.TestSchema;
import dev.dualwrite.testsupport.contract.AbstractOldStoreRepairLogContractTests;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@link JdbcRepairLog} on PostgreSQL (an old schema of the new store's server) keeps the old
 * store's repair-log protocol, in a schema of its own that is dropped after the class.
 */
class PostgresJdbcRepairLogContractTests extends AbstractOldStoreRepairLogContractTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(PostgresJdbcRepairLogContractTests.class);

    @BeforeAll
    static void createTables() {
        JdbcRepairLog log = new JdbcRepairLog(schema.dataSource());
        log.createTables();
        // Idempotent: every start of every instance calls it.
        log.createTables();
    }

    @Override
    protected OldStoreRepairLog createLog(Duration interruptedWriteGrace, Duration inFlightGrace) {
        return new JdbcRepairLog(schema.dataSource(), interruptedWriteGrace, inFlightGrace);
    }

    @Override
    protected void ageIntents(String repository, Duration age) {
        new JdbcTemplate(schema.dataSource()).update(
                "update dualwrite_source_intent set opened_at_ms = opened_at_ms - ? where repository = ?",
                age.toMillis(), repository);
    }

}
