package dev.dualwrite.core.repair;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link JdbcRepairLog} chooses its SQL by the product name the JDBC driver reports, and
 * refuses any other database, or a SQLite too old for its SQL, with a message that says which
 * and what to do.
 */
class JdbcRepairLogDialectTests {

    @Test
    void postgresqlAndSqliteAreSupported() {
        assertThat(JdbcRepairLogDialect.of("PostgreSQL", "17.2").name()).isEqualTo("PostgreSQL");
        assertThat(JdbcRepairLogDialect.of("SQLite", "3.53.2").name()).isEqualTo("SQLite");
        assertThat(JdbcRepairLogDialect.of("SQLite", "3.42.0").name()).isEqualTo("SQLite");
    }

    @Test
    void anotherProductFailsNamingTheProductAndTheWayOut() {
        assertThatIllegalStateException().isThrownBy(() -> JdbcRepairLogDialect.of("MySQL", "8.4.0"))
            .withMessageContaining("MySQL 8.4.0")
            .withMessageContaining("declare an OldStoreRepairLog bean");
    }

    @Test
    void aSqliteWithoutReturningOrSubsecondTimeFails() {
        assertThatIllegalStateException().isThrownBy(() -> JdbcRepairLogDialect.of("SQLite", "3.41.2"))
            .withMessageContaining("SQLite 3.41.2");
    }

}
