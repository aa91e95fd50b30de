package dev.dualwrite.autoconfigure.inventory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.autoconfigure.source.OldStoreSource;
import dev.dualwrite.core.inventory.InventorySource;
import dev.dualwrite.core.pair.DualRepository;

/**
 * Builds the inventory's view of the pairs whose old store is an {@link OldStoreSource}: one
 * inventory source per source that can take one (a {@code JdbcSource}'s counts the rows and
 * measures the tables of its paired repositories).
 */
final class OldStoreSourceInventories {

    private final DualRepositoryRegistry registry;

    OldStoreSourceInventories(DualRepositoryRegistry registry) {
        this.registry = registry;
    }

    List<InventorySource> all() {
        Map<OldStoreSource, Map<String, Class<?>>> bySource = new LinkedHashMap<>();
        for (DualRepository<Object, Object, Object> pair : this.registry.all()) {
            this.registry.sourceOf(pair.name())
                .ifPresent((source) -> bySource.computeIfAbsent(source, (key) -> new LinkedHashMap<>())
                    .put(pair.name(), pair.old().entityType()));
        }
        List<InventorySource> sources = new ArrayList<>();
        bySource.forEach((source, repositories) -> source.inventory(repositories).ifPresent(sources::add));
        return sources;
    }

}
