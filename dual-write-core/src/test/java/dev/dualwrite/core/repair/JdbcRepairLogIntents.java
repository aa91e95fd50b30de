package dev.dualwrite.core.repair;

import java.time.Duration;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What the contract's {@code ageIntents} does for every {@link JdbcRepairLog}: moves a
 * repository's intents back in time in {@code dualwrite_source_intent}.
 */
final class JdbcRepairLogIntents {

    private JdbcRepairLogIntents() {
    }

    static void age(DataSource dataSource, String repository, Duration age) {
        new JdbcTemplate(dataSource).update(
                "update dualwrite_source_intent set opened_at_ms = opened_at_ms - ? where repository = ?",
                age.toMillis(), repository);
    }

}
