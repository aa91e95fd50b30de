package dev.dualwrite.repair;

import java.time.Duration;

import dev.dualwrite.core.repair.reconcile.RepairSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RepairSettingsTests {

    @Test
    void backoffDoublesPerFailureUpToTheMaximum() {
        RepairSettings settings = new RepairSettings(Duration.ofSeconds(5), 100, Duration.ofMinutes(1), Duration.ZERO,
                Duration.ofSeconds(1), Duration.ofSeconds(10));
        assertThat(settings.backoffAfter(0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.backoffAfter(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.backoffAfter(3)).isEqualTo(Duration.ofSeconds(8));
        assertThat(settings.backoffAfter(4)).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.backoffAfter(1000)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> new RepairSettings(Duration.ZERO, 1,
                Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertThatIllegalArgumentException().isThrownBy(() -> new RepairSettings(Duration.ofSeconds(1), 0,
                Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    }

}
