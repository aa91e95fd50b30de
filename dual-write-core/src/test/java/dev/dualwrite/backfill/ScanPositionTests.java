package dev.dualwrite.backfill;

import java.util.List;
import java.util.Map;

import dev.dualwrite.core.backfill.BackfillOrder;
import dev.dualwrite.core.backfill.BackfillPriority;
import dev.dualwrite.core.redis.scan.ScanPosition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Scan positions (text form, completion, progress estimate) and the order of repositories in
 * a job.
 */
class ScanPositionTests {

    @Test
    void positionsRoundTripThroughTheirTextForm() {
        ScanPosition position = ScanPosition.initial().advance("a", "1234").advance("b", "0");
        assertThat(position.toString()).isEqualTo("a=1234,b=done");
        assertThat(ScanPosition.parse(position.toString())).isEqualTo(position);
        assertThat(ScanPosition.parse("")).isEqualTo(ScanPosition.initial());
        assertThat(position.cursor("a")).isEqualTo("1234");
        assertThat(position.cursor("c")).isEqualTo("0");
        assertThat(position.isComplete(List.of("a", "b"))).isFalse();
        assertThat(position.isComplete(List.of("b"))).isTrue();
    }

    @Test
    void theStoreNeutralTextIsTheCheckpointTextOfBefore() {
        // Checkpoints written before ScanPosition became a SourcePosition must resume unchanged.
        ScanPosition position = ScanPosition.parse("a1b2=done,c3d4=88");
        assertThat(position.text()).isEqualTo("a1b2=done,c3d4=88").isEqualTo(position.toString());
        assertThat(ScanPosition.initial().text()).isEmpty();
    }

    @Test
    void progressFollowsTheReversedBitsOfTheCursor() {
        // With a table of 8 buckets, SCAN visits cursors 0, 4, 2, 6, 1, 5, 3, 7: halfway is 1.
        assertThat(ScanPosition.initial().advance("n", "1").fraction(List.of("n"))).isEqualTo(0.5);
        assertThat(ScanPosition.initial().advance("n", "3").fraction(List.of("n"))).isEqualTo(0.75);
        assertThat(ScanPosition.initial().advance("n", "4").fraction(List.of("n"))).isEqualTo(0.125);
        assertThat(ScanPosition.initial().advance("n", "0").fraction(List.of("n", "m"))).isEqualTo(0.5);
    }

    @Test
    void dependenciesRunFirstThenPriorities() {
        Map<String, BackfillOrder> orders = Map.of("orders", new BackfillOrder(BackfillPriority.CRITICAL, List.of("users")),
                "audit", new BackfillOrder(BackfillPriority.LOW, List.of()),
                "tokens", new BackfillOrder(BackfillPriority.HIGH, List.of()));
        List<String> known = List.of("audit", "users", "orders", "tokens");
        assertThat(BackfillOrder.resolve(List.of("audit", "orders", "tokens"), known, orders, (name) -> false))
            .containsExactly("tokens", "users", "orders", "audit");
        assertThat(BackfillOrder.resolve(List.of("orders"), known, orders, "users"::equals)).containsExactly("orders");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> BackfillOrder.resolve(List.of("nope"), known, orders, (name) -> false))
            .withMessageContaining("nope");
        Map<String, BackfillOrder> cycle = Map.of("a", new BackfillOrder(BackfillPriority.MEDIUM, List.of("b")), "b",
                new BackfillOrder(BackfillPriority.MEDIUM, List.of("a")));
        assertThatIllegalArgumentException()
            .isThrownBy(() -> BackfillOrder.resolve(List.of("a"), List.of("a", "b"), cycle, (name) -> false))
            .withMessageContaining("cycle");
    }

}
