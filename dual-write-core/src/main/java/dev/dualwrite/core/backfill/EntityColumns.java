package dev.dualwrite.core.backfill;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.data.mapping.PersistentPropertyAccessor;
import org.springframework.data.mapping.context.MappingContext;
import org.springframework.data.relational.core.mapping.RelationalPersistentEntity;
import org.springframework.data.relational.core.mapping.RelationalPersistentProperty;
import org.springframework.data.relational.core.sql.SqlIdentifier;

/**
 * The columns Spring Data JDBC writes when it inserts an entity with its id, and a row's
 * values for them, listed as its {@code SqlParametersFactory} lists them: each writable
 * property is a column, except an embedded one, whose own columns (recursively, for embedded
 * objects inside embedded objects) take its place, named with the prefixes of the embedded
 * properties on the way joined in front. An embedded object that is {@code null} writes
 * {@code NULL} to all its columns, whether it is declared {@code @Embedded.Nullable} or
 * {@code @Embedded.Empty}; an {@code @Id} inside an embedded object is not written, as
 * Spring Data JDBC does not write it either.
 * <p>
 * What neither COPY nor a multi-row statement can write is reported by {@link #unsupported()}
 * instead: a version, a reference or collection of entities (at any depth), a composite id.
 */
final class EntityColumns {

    private final List<RelationalPersistentProperty> properties = new ArrayList<>();

    private final List<SqlIdentifier> names = new ArrayList<>();

    // Set while the nodes are gathered: false once a persistent property is found read-only.
    private boolean everyPropertyWritten = true;

    private final RelationalPersistentEntity<?> entity;

    private final List<Node> roots;

    private final @Nullable String unsupported;

    /**
     * @param context the mapping context the entity and its embedded types belong to
     * @param entity the entity (an aggregate root)
     */
    EntityColumns(
            MappingContext<? extends RelationalPersistentEntity<?>, ? extends RelationalPersistentProperty> context,
            RelationalPersistentEntity<?> entity) {
        this.entity = entity;
        List<String> problems = new ArrayList<>();
        if (entity.hasVersionProperty()) {
            problems.add("it has a @Version property");
        }
        if (entity.getRequiredIdProperty().isEmbedded()) {
            problems.add("its id is composite (embedded)");
        }
        this.roots = nodes(context, entity, "", "", false, problems);
        this.unsupported = problems.isEmpty() ? null : problems.get(0);
    }

    // The written properties of owner (an embedded type when embedded is true), with the
    // column prefix and the property path that lead to it.
    private List<Node> nodes(
            MappingContext<? extends RelationalPersistentEntity<?>, ? extends RelationalPersistentProperty> context,
            RelationalPersistentEntity<?> owner, String prefix, String path, boolean embedded, List<String> problems) {
        List<Node> nodes = new ArrayList<>();
        for (RelationalPersistentProperty property : owner) {
            String name = path + property.getName();
            if (property.isEntity() && !property.isEmbedded()) {
                problems.add("property '" + name + "' is a reference or collection");
            }
            if (!property.isWritable() || (embedded && property.isIdProperty())) {
                this.everyPropertyWritten &= property.isWritable();
                continue;
            }
            if (property.isEmbedded()) {
                RelationalPersistentEntity<?> type = context.getRequiredPersistentEntity(property.getTypeInformation());
                nodes.add(new Node(property, -1, type, nodes(context, type, prefix + property.getEmbeddedPrefix(),
                        name + ".", true, problems)));
            }
            else {
                nodes.add(new Node(property, this.properties.size(), null, List.of()));
                this.properties.add(property);
                this.names.add(property.getColumnName().transform(prefix::concat));
            }
        }
        return nodes;
    }

    /** Return why a multi-row statement cannot write this entity, or {@code null} when it can. */
    @Nullable String unsupported() {
        return this.unsupported;
    }

    /**
     * Return whether the columns hold every persistent property (none is read-only), so that
     * comparing the columns compares the whole entity.
     */
    boolean everyPropertyWritten() {
        return this.everyPropertyWritten;
    }

    /** Return the property whose value each column holds, in column order. */
    List<RelationalPersistentProperty> properties() {
        return this.properties;
    }

    /** Return the column names (embedded prefixes applied), in column order. */
    List<SqlIdentifier> names() {
        return this.names;
    }

    /**
     * Hand each column's property value (not yet converted) to {@code values}.
     * @param row the entity
     * @param values receives the column index and the value
     */
    void forEachValue(Object row, ColumnValues values) {
        visit(row, this.entity, this.roots, values);
    }

    private static void visit(@Nullable Object bean, RelationalPersistentEntity<?> type, List<Node> nodes,
            ColumnValues values) {
        PersistentPropertyAccessor<?> accessor = (bean != null) ? type.getPropertyAccessor(bean) : null;
        for (Node node : nodes) {
            Object value = (accessor != null) ? accessor.getProperty(node.property()) : null;
            if (node.embedded() != null) {
                visit(value, node.embedded(), node.children(), values);
            }
            else {
                values.accept(node.column(), value);
            }
        }
    }

    /** Receives a row's values, column by column. */
    @FunctionalInterface
    interface ColumnValues {

        void accept(int column, @Nullable Object value);

    }

    /**
     * A written property: a column ({@code column} its index) or an embedded object (its type
     * and properties).
     */
    private record Node(RelationalPersistentProperty property, int column,
            @Nullable RelationalPersistentEntity<?> embedded, List<Node> children) {
    }

}
