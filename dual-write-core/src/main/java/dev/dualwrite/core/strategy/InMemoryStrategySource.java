package dev.dualwrite.core.strategy;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

/**
 * A {@link StrategySource} held in this instance's memory: starts from configured strategies
 * and accepts runtime changes of one stage at a time (more when forced).
 * <p>
 * Changes are not shared with other instances and do not survive a restart; use a shared
 * source when several instances serve the same repositories.
 */
public class InMemoryStrategySource implements StrategySource {

    private static final Logger logger = LoggerFactory.getLogger(InMemoryStrategySource.class);

    private final WriteStrategy defaultStrategy;

    private final Map<String, WriteStrategy> strategies;

    private final Clock clock;

    /**
     * Create a source with a default strategy and per-repository overrides.
     * @param defaultStrategy the strategy of repositories without an override
     * @param overrides strategies by repository name
     */
    public InMemoryStrategySource(WriteStrategy defaultStrategy, Map<String, WriteStrategy> overrides) {
        this(defaultStrategy, overrides, Clock.systemUTC());
    }

    InMemoryStrategySource(WriteStrategy defaultStrategy, Map<String, WriteStrategy> overrides, Clock clock) {
        Assert.notNull(defaultStrategy, "defaultStrategy must not be null");
        Assert.notNull(overrides, "overrides must not be null");
        this.defaultStrategy = defaultStrategy;
        this.strategies = new ConcurrentHashMap<>(overrides);
        this.clock = clock;
    }

    @Override
    public WriteStrategy strategyFor(String repository) {
        return this.strategies.getOrDefault(repository, this.defaultStrategy);
    }

    @Override
    public StrategyChange change(String repository, WriteStrategy target, boolean force) {
        Assert.hasText(repository, "repository must not be empty");
        Assert.notNull(target, "target must not be null");
        StrategyChange[] applied = new StrategyChange[1];
        // compute() makes check-and-set atomic per repository, so two concurrent requests
        // cannot both pass the adjacency check against the same starting stage.
        this.strategies.compute(repository, (name, current) -> {
            WriteStrategy from = (current != null) ? current : this.defaultStrategy;
            boolean skips = !from.isAdjacentTo(target);
            if (skips && !force) {
                throw new StrategyChangeException("Repository '" + repository + "' cannot move from " + from + " to "
                        + target + " in one step: walk the stages one at a time, or force the change");
            }
            applied[0] = new StrategyChange(repository, from, target, skips, this.clock.instant(), 0, "application", null,
                    List.of());
            return target;
        });
        StrategyChange change = applied[0];
        if (change.forced()) {
            logger.warn("Forced strategy change of repository '{}' from {} to {}, skipping stages", repository,
                    change.from(), change.to());
        }
        else {
            logger.info("Strategy of repository '{}' changed from {} to {}", repository, change.from(), change.to());
        }
        return change;
    }

}
