package dev.dualwrite.autoconfigure.endpoint;

import java.security.Principal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.control.ControlPlane;
import dev.dualwrite.core.control.InstanceStage;
import dev.dualwrite.core.control.SharedStage;
import dev.dualwrite.core.control.StageMove;
import dev.dualwrite.core.ledger.Ledger;
import dev.dualwrite.core.ledger.LedgerAction;
import dev.dualwrite.core.ledger.LedgerEntry;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.repair.RepairLog;
import dev.dualwrite.core.routing.ReadRouting;
import dev.dualwrite.core.routing.ReadRoutingSource;
import dev.dualwrite.core.routing.ShadowMismatch;
import dev.dualwrite.core.routing.ShadowReads;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.StrategyChange;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code dualwrite} actuator endpoint: reads the state of every paired repository (its
 * shared stage, the instances and what each applies, repair backlog, read shares), moves one
 * repository's stage through the {@link ControlPlane}, and reads the ledger.
 * <p>
 * A change needs an authenticated caller: the write operation refuses a call without a
 * {@link Principal} before anything changes, whatever the application's exposure settings.
 * (The actuator does not refuse such calls itself: it passes {@code null} for a caller it
 * cannot identify, such as an anonymous HTTP request or any JMX call.) Who may change
 * strategies is for the application's security configuration to decide (for example a role
 * on {@code /actuator/dualwrite/**}).
 */
@Endpoint(id = "dualwrite")
public class DualWriteEndpoint {

    private static final Logger logger = LoggerFactory.getLogger(DualWriteEndpoint.class);

    /** What a strategy change is called in a refusal; shared with the HTTP form. */
    static final String CHANGE_STRATEGY = "Changing a strategy";

    /** What a read routing change is called in a refusal; shared with the HTTP form. */
    static final String CHANGE_READS = "Changing read routing";

    private final DualRepositoryRegistry registry;

    private final ControlPlane controlPlane;

    private final Map<Store, RepairLog> repairLogs;

    private final ReadRoutingSource readRoutings;

    private final ShadowReads shadowReads;

    /**
     * @param registry the paired repositories
     * @param controlPlane where stages are read and moved
     * @param repairLogs the repair log of each store to repair
     * @param readRoutings where ramped and shadow read shares are read and changed
     * @param shadowReads keeps the recent shadow-read mismatches
     */
    public DualWriteEndpoint(DualRepositoryRegistry registry, ControlPlane controlPlane,
            Map<Store, ? extends RepairLog> repairLogs, ReadRoutingSource readRoutings, ShadowReads shadowReads) {
        this.registry = registry;
        this.controlPlane = controlPlane;
        this.repairLogs = Map.copyOf(repairLogs);
        this.readRoutings = readRoutings;
        this.shadowReads = shadowReads;
    }

    @ReadOperation
    public DualWriteState state() {
        Map<String, RepositoryState> repositories = new LinkedHashMap<>();
        for (DualRepository<?, ?, ?> repository : this.registry.all()) {
            repositories.put(repository.name(), stateOf(repository));
        }
        return new DualWriteState(repositories);
    }

    @ReadOperation
    public @Nullable RepositoryState repository(@Selector String name) {
        return this.registry.all()
            .stream()
            .filter((repository) -> repository.name().equals(name))
            .findFirst()
            .map(this::stateOf)
            .orElse(null);
    }

    /**
     * Read a repository's ledger, newest first:
     * {@code GET /actuator/dualwrite/{name}/ledger?limit=50&before=<id>}.
     * @param name the repository name
     * @param ledger the literal {@code ledger}
     * @param limit the most entries to return (default 50, at most 500)
     * @param before only entries older than this id (the last id of the previous page)
     * @return the entries, or {@code null} for an unknown repository
     */
    @ReadOperation
    public @Nullable List<LedgerEntry> ledger(@Selector String name, @Selector String ledger, @Nullable Integer limit,
            @Nullable Long before) {
        if (!"ledger".equals(ledger)) {
            throw new InvalidEndpointRequestException("Unknown part '" + ledger + "'; use /" + name + "/ledger",
                    "Unknown part");
        }
        if (!isPaired(name)) {
            return null;
        }
        int size = (limit != null) ? limit : 50;
        if (size < 1 || size > Ledger.MAX_PAGE) {
            throw new InvalidEndpointRequestException("limit must be between 1 and " + Ledger.MAX_PAGE,
                    "Invalid limit");
        }
        return this.controlPlane.ledger().page(name, before, size);
    }

    /**
     * Move a repository to another stage through the control plane, which checks the
     * conditions of the move and records it in the ledger with the caller and reason.
     * @param name the repository name
     * @param strategy the stage to move to
     * @param force whether to override conditions that do not hold (needs a reason)
     * @param reason why, recorded in the ledger
     * @param principal the caller
     * @return the change made, or {@code null} for an unknown repository
     */
    @WriteOperation
    public @Nullable StrategyChange change(@Selector String name, WriteStrategy strategy, @Nullable Boolean force,
            @Nullable String reason, @Nullable Principal principal) {
        // The actuator resolves a Principal parameter to null for an unidentified caller rather
        // than refusing the call, so the refusal has to happen here, before anything changes.
        OperatorRequests.requireCaller(principal, CHANGE_STRATEGY, "dualwrite");
        if (!isPaired(name)) {
            return null;
        }
        return this.controlPlane.move(new StageMove(name, strategy, principal.getName(), reason,
                Boolean.TRUE.equals(force)));
    }

    /**
     * Change how a repository's reads are spread: {@code POST /actuator/dualwrite/{name}/reads}
     * with {@code readPercent} (for every read method, or for {@code method} alone) and/or
     * {@code shadowReadPercent}.
     * @param name the repository name
     * @param reads the literal {@code reads}
     * @param readPercent share of reads DUAL serves from PostgreSQL, 0 to 100
     * @param method the read method {@code readPercent} applies to, or every method when absent
     * @param shadowReadPercent share of reads compared with the other store, 0 to 100
     * @param principal the caller
     * @return the read routing now in force, or {@code null} for an unknown repository
     */
    @WriteOperation
    public @Nullable ReadRouting changeReads(@Selector String name, @Selector String reads,
            @Nullable Integer readPercent, @Nullable String method, @Nullable Integer shadowReadPercent,
            @Nullable Principal principal) {
        OperatorRequests.requireCaller(principal, CHANGE_READS, "dualwrite");
        if (!"reads".equals(reads)) {
            throw new InvalidEndpointRequestException("Unknown setting '" + reads + "'; use /" + name + "/reads",
                    "Unknown setting");
        }
        if (!isPaired(name)) {
            return null;
        }
        ReadRouting current = this.readRoutings.routingFor(name);
        Map<String, Integer> byMethod = new LinkedHashMap<>(current.readPercentByMethod());
        int allMethods = current.readPercent();
        if (readPercent != null && method != null) {
            byMethod.put(method, readPercent);
        }
        else if (readPercent != null) {
            allMethods = readPercent;
        }
        ReadRouting changed;
        try {
            changed = new ReadRouting(allMethods, byMethod,
                    (shadowReadPercent != null) ? shadowReadPercent : current.shadowReadPercent());
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidEndpointRequestException(String.valueOf(ex.getMessage()), "Invalid percentage");
        }
        if (rampsUp(current, changed)) {
            // PostgreSQL answers would be partial before a backfill and a clean verification.
            this.controlPlane.requireRampedReadsAllowed(name);
        }
        this.readRoutings.change(name, changed);
        this.controlPlane.ledger()
            .append(LedgerEntry.of(name, LedgerAction.READS_CHANGED, principal.getName())
                .withStages(null, this.controlPlane.strategyFor(name), this.controlPlane.stage(name).epoch())
                .withDetails("from " + current + " to " + changed));
        logger.info("dual-write: '{}' changed the read routing of repository '{}' to {}", principal.getName(), name,
                changed);
        return changed;
    }

    private static boolean rampsUp(ReadRouting current, ReadRouting changed) {
        if (changed.readPercent() > current.readPercent()) {
            return true;
        }
        return changed.readPercentByMethod()
            .entrySet()
            .stream()
            .anyMatch((entry) -> entry.getValue() > current.readPercentByMethod().getOrDefault(entry.getKey(), 0));
    }

    /**
     * Return the names of the paired repositories.
     * @return the names, in pairing order
     */
    List<String> pairedNames() {
        return this.registry.all().stream().map(DualRepository::name).toList();
    }

    // A name check only: building the state would query both repair logs.
    private boolean isPaired(String name) {
        return pairedNames().contains(name);
    }

    private RepositoryState stateOf(DualRepository<?, ?, ?> repository) {
        Map<String, @Nullable Long> pending = new LinkedHashMap<>();
        this.repairLogs.forEach((store, log) -> pending.put(store.tagValue(), pendingOrNull(log, repository.name())));
        SharedStage stage = this.controlPlane.stage(repository.name());
        return new RepositoryState(stage.strategy(), stage.epoch(), stage.changedAt(), stage.changedBy(),
                stage.reason(), this.controlPlane.instances(repository.name()),
                repository.old().entityType().getName(), repository.postgresInterface().getName(),
                repository.postgres().entityType().getName(), pending, this.readRoutings.routingFor(repository.name()),
                this.shadowReads.recentMismatches(repository.name()));
    }

    private static @Nullable Long pendingOrNull(RepairLog log, String repository) {
        try {
            return log.pendingCount(repository);
        }
        catch (RuntimeException ex) {
            // The log lives in a store that may be down; the state is still worth showing.
            return null;
        }
    }

    /**
     * State of every paired repository.
     * @param repositories state by repository name
     */
    public record DualWriteState(Map<String, RepositoryState> repositories) {
    }

    /**
     * State of one paired repository.
     * @param strategy the shared stage
     * @param epoch the shared stage's epoch
     * @param changedAt when the stage was set
     * @param changedBy who set it
     * @param reason why, as given
     * @param instances what each instance that registered the repository applies
     * @param redisEntity the Redis entity type
     * @param postgresRepository the paired Spring Data JDBC repository
     * @param postgresEntity the PostgreSQL entity type
     * @param pendingRepairs keys awaiting repair by store to repair ({@code null} when the
     * store holding the log cannot be reached)
     * @param reads the ramped and shadow read shares
     * @param recentShadowMismatches the latest shadow reads whose answers differed, newest first
     */
    public record RepositoryState(WriteStrategy strategy, long epoch, Instant changedAt, String changedBy,
            @Nullable String reason, List<InstanceStage> instances, String redisEntity, String postgresRepository,
            String postgresEntity, Map<String, @Nullable Long> pendingRepairs, ReadRouting reads,
            List<ShadowMismatch> recentShadowMismatches) {
    }

}
