package com.example.tokens;

import java.util.List;

import dev.dualwrite.core.inventory.Inventory;
import dev.dualwrite.core.inventory.InventoryReport;
import dev.dualwrite.core.inventory.InventoryReport.RepositoryInventory;

import org.springframework.stereotype.Component;

@Component
class TokenInventory {

    private final Inventory inventory;

    TokenInventory(Inventory inventory) {
        this.inventory = inventory;
    }

    long tokensToCopy() {
        InventoryReport report = this.inventory.take(List.of("tokens"));
        System.out.println(report.toText());
        RepositoryInventory tokens = report.repositories().get(0);
        return tokens.entities();
    }

}
