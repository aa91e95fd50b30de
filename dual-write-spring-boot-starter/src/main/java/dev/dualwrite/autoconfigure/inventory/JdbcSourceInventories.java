package dev.dualwrite.autoconfigure.inventory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.autoconfigure.source.JdbcSource;
import dev.dualwrite.core.inventory.InventorySource;
import dev.dualwrite.core.inventory.JdbcInventory;
import dev.dualwrite.core.pair.DualRepository;

/**
 * Builds the inventory's view of the pairs whose old store is a {@link JdbcSource}: one
 * {@link JdbcInventory} per source, counting the rows and measuring the tables of its paired
 * repositories.
 */
final class JdbcSourceInventories {

    private final DualRepositoryRegistry registry;

    JdbcSourceInventories(DualRepositoryRegistry registry) {
        this.registry = registry;
    }

    List<InventorySource> all() {
        Map<JdbcSource, Map<String, Class<?>>> bySource = new LinkedHashMap<>();
        for (DualRepository<Object, Object, Object> pair : this.registry.all()) {
            this.registry.sourceOf(pair.name())
                .ifPresent((source) -> bySource.computeIfAbsent(source, (key) -> new LinkedHashMap<>())
                    .put(pair.name(), pair.old().entityType()));
        }
        List<InventorySource> sources = new ArrayList<>();
        bySource.forEach((source, repositories) -> sources.add(new JdbcInventory(source.toString(),
                source.aggregates(), source.dataSource(), source.aggregates().getDataAccessStrategy().getDialect(),
                repositories)));
        return sources;
    }

}
