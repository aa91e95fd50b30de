package dev.dualwrite.inventory;

import java.util.List;

import org.springframework.data.redis.core.convert.KeyspaceConfiguration;

/**
 * Puts {@link Crate}'s keyspace under the test run's key prefix, so that concurrent runs on
 * one Redis never count each other's keys.
 */
public class InventoryKeyspaces extends KeyspaceConfiguration {

    @Override
    protected Iterable<KeyspaceSettings> initialConfiguration() {
        return List.of(new KeyspaceSettings(Crate.class, InventoryStores.crateKeyspace()));
    }

}
