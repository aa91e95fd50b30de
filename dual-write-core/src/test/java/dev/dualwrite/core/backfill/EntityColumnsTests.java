package dev.dualwrite.core.backfill;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.jdbc.core.mapping.JdbcMappingContext;
import org.springframework.data.relational.core.mapping.Column;
import org.springframework.data.relational.core.mapping.Embedded;
import org.springframework.data.relational.core.sql.SqlIdentifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EntityColumns} on Spring Data JDBC mappings (no store involved: it reads only the
 * mapping): the columns Spring Data JDBC's insert writes, embedded ones included, and the
 * aggregates it leaves to Spring Data JDBC row by row.
 */
class EntityColumnsTests {

    private final JdbcMappingContext context = new JdbcMappingContext();

    @Test
    void listsEmbeddedColumnsUnderTheirJoinedPrefixesInPlaceOfTheEmbeddedProperty() {
        EntityColumns columns = columns(Customer.class);

        assertThat(columns.unsupported()).isNull();
        assertThat(columns.names()).extracting(SqlIdentifier::getReference)
            .containsExactly("id", "home_street", "home_postcode", "home_geo_lat", "home_geo_lon", "street",
                    "postcode", "geo_lat", "geo_lon", "name");
    }

    @Test
    void handsOverNullForEveryColumnOfANullEmbeddedObjectAtAnyDepth() {
        EntityColumns columns = columns(Customer.class);

        assertThat(values(columns, new Customer("c1", new Address("1 Main St", "L1", null), null, "Ann")))
            .containsExactly("c1", "1 Main St", "L1", null, null, null, null, null, null, "Ann");
        assertThat(values(columns,
                new Customer("c2", null, new Address(null, "P2", new Geo(45.0, 4.8)), "Bob")))
            .containsExactly("c2", null, null, null, null, null, "P2", 45.0, 4.8, "Bob");
    }

    @Test
    void leavesAnIdInsideAnEmbeddedObjectUnwrittenAsSpringDataJdbcsInsertDoes() {
        assertThat(columns(WithIdInEmbedded.class).names()).extracting(SqlIdentifier::getReference)
            .containsExactly("id", "tag_label");
    }

    @Test
    void leavesToSpringDataJdbcWhatOneStatementCannotWrite() {
        assertThat(columns(Versioned.class).unsupported()).isEqualTo("it has a @Version property");
        assertThat(columns(WithLines.class).unsupported()).isEqualTo("property 'lines' is a reference or collection");
        assertThat(columns(WithLinesInEmbedded.class).unsupported())
            .isEqualTo("property 'order.lines' is a reference or collection");
        assertThat(columns(CompositeId.class).unsupported()).isEqualTo("its id is composite (embedded)");
    }

    private EntityColumns columns(Class<?> type) {
        return new EntityColumns(this.context, this.context.getRequiredPersistentEntity(type));
    }

    private static List<@Nullable Object> values(EntityColumns columns, Object row) {
        Object[] values = new Object[columns.names().size()];
        Arrays.fill(values, "unset");
        columns.forEachValue(row, (column, value) -> values[column] = value);
        return new ArrayList<>(Arrays.asList(values));
    }

    record Geo(double lat, double lon) {
    }

    record Address(@Nullable String street, @Column("postcode") @Nullable String zip,
            @Embedded.Nullable(prefix = "geo_") @Nullable Geo geo) {
    }

    record Customer(@Id String id, @Embedded.Nullable(prefix = "home_") @Nullable Address home,
            @Embedded.Empty @Nullable Address work, String name) {
    }

    record Tag(@Id @Nullable String id, String label) {
    }

    record WithIdInEmbedded(@Id String id, @Embedded.Nullable(prefix = "tag_") Tag tag) {
    }

    record Versioned(@Id String id, @Version long version) {
    }

    record Line(String product) {
    }

    record WithLines(@Id String id, Set<Line> lines) {
    }

    record Order(String reference, Set<Line> lines) {
    }

    record WithLinesInEmbedded(@Id String id, @Embedded.Nullable Order order) {
    }

    record Key(String tenant, String number) {
    }

    record CompositeId(@Id Key id, String name) {
    }

}
