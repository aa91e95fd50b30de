package dev.dualwrite.core.compare;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.data.annotation.Id;
import org.springframework.data.jdbc.core.mapping.JdbcMappingContext;
import org.springframework.data.relational.core.mapping.Table;

import static org.assertj.core.api.Assertions.assertThat;

class EntityComparatorTests {

    private final EntityComparator comparator = new EntityComparator(new JdbcMappingContext());

    @Test
    void representationsOfTheSameValueAreEqual() {
        Instant nanos = Instant.parse("2024-05-01T10:00:00.123456789Z");
        Row left = new Row("a", new BigDecimal("1.50"), 7L, nanos, OffsetDateTime.ofInstant(nanos, ZoneOffset.UTC),
                new Attributes(List.of(1, 2.0)), Set.of("x", "y"), Map.of("k", 1));
        // What PostgreSQL returns for .123456789 bound by the JDBC driver, which rounds half up.
        Row right = new Row("a", new BigDecimal("1.500000"), 7L, Instant.parse("2024-05-01T10:00:00.123457Z"),
                OffsetDateTime.ofInstant(nanos, ZoneOffset.ofHours(2)), new Attributes(List.of(1.0, 2L)),
                Set.of("y", "x"), Map.of("k", 1L));
        assertThat(this.comparator.differingFields(left, right)).isEmpty();
    }

    @Test
    void timestampsAreComparedAtTheMicrosecondTheDriverRoundsTo() {
        Row stored = row(Instant.parse("2024-05-01T10:00:00.123457Z"));

        assertThat(this.comparator.differingFields(row(Instant.parse("2024-05-01T10:00:00.1234565Z")), stored)).isEmpty();
        assertThat(this.comparator.differingFields(row(Instant.parse("2024-05-01T10:00:00.1234564Z")), stored))
            .containsExactly("at");
    }

    private static Row row(Instant at) {
        return new Row("a", BigDecimal.ONE, 7L, at, null, new Attributes(List.of()), Set.of(), Map.of());
    }

    @Test
    void realChangesAreNamedByPath() {
        Instant at = Instant.parse("2024-05-01T10:00:00Z");
        Row left = new Row("a", BigDecimal.ONE, 7L, at, null, new Attributes(List.of(1, 2)), Set.of("x"), Map.of());
        Row right = new Row("a", BigDecimal.TEN, 7L, at.plusNanos(1000), null, new Attributes(List.of(1, 3)),
                Set.of("x", "z"), Map.of("k", 1));
        assertThat(this.comparator.differingFields(left, right)).containsExactlyInAnyOrder("amount", "at",
                "attributes.values[1]", "tags", "extra[k]");
        assertThat(this.comparator.differences(left, right).get("amount").redis()).isEqualTo("1");
        assertThat(this.comparator.differences(left, right).get("amount").postgres()).isEqualTo("10");
    }

    @Test
    void nullAgainstAValueDiffers() {
        Row left = new Row("a", BigDecimal.ONE, null, null, null, null, Set.of(), Map.of());
        Row right = new Row("a", BigDecimal.ONE, 1L, null, null, null, Set.of(), Map.of());
        assertThat(this.comparator.differingFields(left, right)).containsExactly("count");
    }

    record Attributes(List<Object> values) {
    }

    @Table("rows")
    record Row(@Id String id, BigDecimal amount, Long count, Instant at, OffsetDateTime zoned, Attributes attributes,
            Set<String> tags, Map<String, Object> extra) {
    }

}
