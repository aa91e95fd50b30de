package dev.dualwrite.core.repair;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FailureReasonTests {

    @Test
    void keepsTheRootCauseTypeAndFirstLineOnly() {
        SQLException driver = new SQLException(
                "ERROR: duplicate key value violates unique constraint \"tokens_pkey\"\n  Detail: Key (id)=(secret-42) already exists.");
        String reason = FailureReason.describe(new RuntimeException("wrapper", driver));
        assertThat(reason).isEqualTo("SQLException: ERROR: duplicate key value violates unique constraint \"tokens_pkey\"");
        assertThat(reason).doesNotContain("secret-42");
    }

    @Test
    void boundsTheLength() {
        assertThat(FailureReason.describe(new IllegalStateException("x".repeat(1000)))).hasSizeLessThan(320);
    }

}
