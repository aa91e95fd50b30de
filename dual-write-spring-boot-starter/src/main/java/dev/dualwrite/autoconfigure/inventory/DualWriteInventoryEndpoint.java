package dev.dualwrite.autoconfigure.inventory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import dev.dualwrite.core.inventory.Inventory;
import dev.dualwrite.core.inventory.InventoryReport;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code dualwriteinventory} actuator endpoint: read-only, it takes stock of the old
 * store and answers the report.
 * <ul>
 * <li>{@code GET /} every paired repository, and the keys of no repository</li>
 * <li>{@code GET /{repository}} one repository (the store is scanned whole all the same, to
 * tell its keys from others'); 404 for a name that is no paired repository</li>
 * </ul>
 * Each call scans (as {@code dual-write.inventory.*} sets, rate limit included); calls that arrive while a
 * scan runs share its report rather than starting another, so concurrent callers never
 * multiply the load on Redis. Reads are secured like the other {@code dualwrite*} endpoints'
 * reads: by the application's actuator security.
 */
@Endpoint(id = "dualwriteinventory")
public class DualWriteInventoryEndpoint {

    private final Inventory inventory;

    private @Nullable CompletableFuture<InventoryReport> running;

    /**
     * @param inventory the inventory
     */
    public DualWriteInventoryEndpoint(Inventory inventory) {
        this.inventory = inventory;
    }

    @ReadOperation
    public InventoryReport inventory() {
        return shared();
    }

    @ReadOperation
    public @Nullable InventoryReport repository(@Selector String name) {
        if (!this.inventory.repositories().contains(name)) {
            return null;
        }
        InventoryReport report = shared();
        return new InventoryReport(report.takenAt(), report.duration(),
                report.repositories().stream().filter((repository) -> repository.repository().equals(name)).toList(),
                report.stores());
    }

    private InventoryReport shared() {
        CompletableFuture<InventoryReport> scan;
        boolean mine = false;
        synchronized (this) {
            scan = this.running;
            if (scan == null) {
                scan = new CompletableFuture<>();
                this.running = scan;
                mine = true;
            }
        }
        if (mine) {
            // The caller's own thread scans; callers arriving meanwhile wait for its report.
            try {
                scan.complete(this.inventory.take(List.of(Inventory.ALL)));
            }
            catch (RuntimeException ex) {
                scan.completeExceptionally(ex);
            }
            finally {
                synchronized (this) {
                    this.running = null;
                }
            }
        }
        try {
            return scan.join();
        }
        catch (CompletionException ex) {
            throw (ex.getCause() instanceof RuntimeException runtime) ? runtime : ex;
        }
    }

}
