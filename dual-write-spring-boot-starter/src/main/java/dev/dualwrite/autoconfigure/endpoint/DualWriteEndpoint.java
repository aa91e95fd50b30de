package dev.dualwrite.autoconfigure.endpoint;

import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.repair.RepairLog;
import dev.dualwrite.core.routing.DualRepository;
import dev.dualwrite.core.routing.ReadRouting;
import dev.dualwrite.core.routing.ReadRoutingSource;
import dev.dualwrite.core.routing.ShadowMismatch;
import dev.dualwrite.core.routing.ShadowReads;
import dev.dualwrite.core.strategy.Store;
import dev.dualwrite.core.strategy.StrategyChange;
import dev.dualwrite.core.strategy.StrategyChangeException;
import dev.dualwrite.core.strategy.StrategySource;
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
 * The {@code dualwrite} actuator endpoint: reads the state of every paired repository and
 * changes one repository's strategy at run time.
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

    private final StrategySource strategies;

    private final Map<Store, RepairLog> repairLogs;

    private final ReadRoutingSource readRoutings;

    private final ShadowReads shadowReads;

    /**
     * @param registry the paired repositories
     * @param strategies where strategies are read and changed
     * @param repairLogs the repair log of each store to repair
     * @param readRoutings where ramped and shadow read shares are read and changed
     * @param shadowReads keeps the recent shadow-read mismatches
     */
    public DualWriteEndpoint(DualRepositoryRegistry registry, StrategySource strategies,
            Map<Store, ? extends RepairLog> repairLogs, ReadRoutingSource readRoutings, ShadowReads shadowReads) {
        this.registry = registry;
        this.strategies = strategies;
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

    @WriteOperation
    public @Nullable StrategyChange change(@Selector String name, WriteStrategy strategy, @Nullable Boolean force,
            @Nullable Principal principal) {
        // The actuator resolves a Principal parameter to null for an unidentified caller rather
        // than refusing the call, so the refusal has to happen here, before anything changes.
        OperatorRequests.requireCaller(principal, CHANGE_STRATEGY, "dualwrite");
        if (!isPaired(name)) {
            return null;
        }
        if (!Boolean.TRUE.equals(force)) {
            checkNoRepairsPending(name, this.strategies.strategyFor(name), strategy);
        }
        StrategyChange change = this.strategies.change(name, strategy, Boolean.TRUE.equals(force));
        logger.info("dual-write: '{}' changed the strategy of repository '{}' from {} to {}{}", principal.getName(),
                name, change.from(), change.to(), change.forced() ? " (forced)" : "");
        return change;
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
        this.readRoutings.change(name, changed);
        logger.info("dual-write: '{}' changed the read routing of repository '{}' to {}", principal.getName(), name,
                changed);
        return changed;
    }

    // Repair records are settled from the current stage's primary. Leaving DUAL forward (or
    // POSTGRES_PRIMARY back) with records pending would settle them from the store that
    // missed the writes, and lose those writes.
    private void checkNoRepairsPending(String name, WriteStrategy from, WriteStrategy to) {
        Store behind = null;
        if (from == WriteStrategy.DUAL && to.ordinal() > from.ordinal()) {
            behind = Store.POSTGRES;
        }
        else if (from == WriteStrategy.POSTGRES_PRIMARY && to.ordinal() < from.ordinal()) {
            behind = Store.REDIS;
        }
        if (behind == null) {
            return;
        }
        Long pending = pendingOrNull(this.repairLogs.get(behind), name);
        if (pending == null || pending > 0) {
            throw new StrategyChangeException("Repository '" + name + "' cannot move from " + from + " to " + to
                    + ": " + ((pending != null) ? pending : "an unknown number of") + " keys await repair in "
                    + behind + ", and after the move they would be settled from " + behind
                    + ", losing their latest writes; let the reconciler drain them (see pendingRepairs), "
                    + "or force the change");
        }
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
        return new RepositoryState(this.strategies.strategyFor(repository.name()),
                repository.redis().entityType().getName(), repository.postgresInterface().getName(),
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
     * @param strategy the strategy in force
     * @param redisEntity the Redis entity type
     * @param postgresRepository the paired Spring Data JDBC repository
     * @param postgresEntity the PostgreSQL entity type
     * @param pendingRepairs keys awaiting repair by store to repair ({@code null} when the
     * store holding the log cannot be reached)
     * @param reads the ramped and shadow read shares
     * @param recentShadowMismatches the latest shadow reads whose answers differed, newest first
     */
    public record RepositoryState(WriteStrategy strategy, String redisEntity, String postgresRepository,
            String postgresEntity, Map<String, @Nullable Long> pendingRepairs, ReadRouting reads,
            List<ShadowMismatch> recentShadowMismatches) {
    }

}
