package dev.dualwrite.autoconfigure.inventory;

import java.security.Principal;

import dev.dualwrite.autoconfigure.endpoint.OperatorRequests;
import dev.dualwrite.core.inventory.Inventory;
import dev.dualwrite.core.inventory.InventoryReport;
import dev.dualwrite.core.inventory.InventoryRuns;
import dev.dualwrite.core.inventory.InventoryRuns.RunStatus;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code dualwriteinventory} actuator endpoint: starts an inventory of the old store in
 * the background and answers the last report.
 * <ul>
 * <li>{@code POST /} with {@code {"reason": "..."}} starts an inventory of every paired
 * repository (the store is scanned whole all the same, to tell their keys from others'), as
 * {@code dual-write.inventory.*} sets, rate limit included; while one runs, a start answers
 * the running one, so callers never multiply the load on Redis</li>
 * <li>{@code GET /} the progress of a running inventory and the last one taken, with its
 * report ({@code "none taken yet"} before the first)</li>
 * <li>{@code GET /{repository}} the same, the report narrowed to one repository; 404 for a
 * name that is no paired repository</li>
 * </ul>
 * Starting needs an authenticated caller, like starting a backfill or a verification: a call
 * without a {@link Principal} is refused, whatever the exposure settings; who started it and
 * why go in the ledger. Reads are secured by the application's actuator security.
 */
@Endpoint(id = "dualwriteinventory")
public class DualWriteInventoryEndpoint {

    static final String START = "Starting an inventory";

    /** What {@code last} says before any inventory was taken. */
    public static final String NONE_TAKEN = "none taken yet";

    private final Inventory inventory;

    private final InventoryRuns runs;

    /**
     * @param inventory the inventory
     * @param runs runs inventories in the background and keeps the last one
     */
    public DualWriteInventoryEndpoint(Inventory inventory, InventoryRuns runs) {
        this.inventory = inventory;
        this.runs = runs;
    }

    @ReadOperation
    public InventoryStatus status() {
        return new InventoryStatus(this.runs.running(), this.runs.last(), (this.runs.last() != null) ? null : NONE_TAKEN);
    }

    @ReadOperation
    public @Nullable InventoryStatus repository(@Selector String name) {
        if (!this.inventory.repositories().contains(name)) {
            return null;
        }
        RunStatus last = this.runs.last();
        if (last != null && last.report() != null) {
            InventoryReport report = last.report();
            last = new RunStatus(last.id(), last.startedBy(), last.reason(), last.startedAt(), last.state(),
                    last.store(), last.scanned(), last.fraction(), last.finishedAt(), last.failure(),
                    new InventoryReport(report.takenAt(), report.duration(), report.repositories()
                        .stream()
                        .filter((repository) -> repository.repository().equals(name))
                        .toList(), report.stores()));
        }
        return new InventoryStatus(this.runs.running(), last, (last != null) ? null : NONE_TAKEN);
    }

    /**
     * Start an inventory in the background, or answer the one running.
     * @param reason why, recorded in the ledger
     * @param principal the caller
     * @return the run
     */
    @WriteOperation
    public RunStatus start(@Nullable String reason, @Nullable Principal principal) {
        // The actuator passes null for an unidentified caller rather than refusing the call.
        OperatorRequests.requireCaller(principal, START, "dualwriteinventory");
        return this.runs.start(principal.getName(), reason);
    }

    /**
     * The endpoint's answer to a read.
     * @param running the inventory running now, with its progress
     * @param last the last inventory finished, with its report or failure
     * @param message {@value #NONE_TAKEN} before the first inventory finished
     */
    public record InventoryStatus(@Nullable RunStatus running, @Nullable RunStatus last, @Nullable String message) {
    }

}
