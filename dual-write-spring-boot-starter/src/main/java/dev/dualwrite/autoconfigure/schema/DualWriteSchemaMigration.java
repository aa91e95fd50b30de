package dev.dualwrite.autoconfigure.schema;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.InitializingBean;

/**
 * Creates and upgrades the library's own tables with a Flyway instance of its own:
 * migrations from {@code classpath:db/dualwrite}, history in a table of its own, so the
 * application's migrations and history are never touched.
 */
public class DualWriteSchemaMigration implements InitializingBean {

    /** Where the library's migrations live. */
    public static final String LOCATION = "classpath:db/dualwrite";

    private static final Logger logger = LoggerFactory.getLogger(DualWriteSchemaMigration.class);

    private final DataSource dataSource;

    private final String historyTable;

    public DualWriteSchemaMigration(DataSource dataSource, String historyTable) {
        this.dataSource = dataSource;
        this.historyTable = historyTable;
    }

    @Override
    public void afterPropertiesSet() {
        MigrateResult result = Flyway.configure()
            .dataSource(this.dataSource)
            .locations(LOCATION)
            .table(this.historyTable)
            // The application's schema already holds its own tables: start our history at 0
            // instead of refusing a non-empty schema.
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .load()
            .migrate();
        logger.info("dual-write: library schema at version {} ({} migrations applied)", result.targetSchemaVersion,
                result.migrationsExecuted);
    }

}
