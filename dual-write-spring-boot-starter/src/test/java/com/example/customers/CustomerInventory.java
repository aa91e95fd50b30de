package com.example.customers;

import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.dualwrite.core.inventory.BackfillRates;
import dev.dualwrite.core.inventory.Inventory;
import dev.dualwrite.core.inventory.InventorySettings;
import dev.dualwrite.core.inventory.JdbcInventory;
import dev.dualwrite.core.store.SqliteDialect;

import org.springframework.data.jdbc.core.JdbcAggregateOperations;

final class CustomerInventory {

    private CustomerInventory() {
    }

    static Inventory of(JdbcAggregateOperations legacyAggregates, DataSource legacyDataSource, BackfillRates rates) {
        JdbcInventory legacy = new JdbcInventory("SQLite legacy.db", legacyAggregates, legacyDataSource,
                SqliteDialect.INSTANCE, Map.of("customers", Customer.class));
        return new Inventory(() -> List.of(legacy), rates, InventorySettings.DEFAULTS);
    }

}
