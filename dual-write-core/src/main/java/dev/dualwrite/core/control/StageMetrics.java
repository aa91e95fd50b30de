package dev.dualwrite.core.control;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import dev.dualwrite.core.strategy.WriteStrategy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * The stage meters of this instance, registered when a repository registers (the counter at
 * zero):
 * <ul>
 * <li>{@code dualwrite.stage} (gauge): the stage this instance applies, as its position in the
 * walk: 0 {@code REDIS_PRIMARY}, 1 {@code DUAL}, 2 {@code POSTGRES_PRIMARY}, 3
 * {@code POSTGRES_ONLY}</li>
 * <li>{@code dualwrite.stage.epoch} (gauge): the epoch of that stage</li>
 * <li>{@code dualwrite.stage.changes} (counter): stage changes this instance applied, made
 * here or on another instance</li>
 * </ul>
 * All tagged {@code repository}. Add it to the {@link ControlPlane} with
 * {@link ControlPlane#addStageListener}.
 */
public class StageMetrics implements StageListener {

    public static final String STAGE = "dualwrite.stage";

    public static final String EPOCH = "dualwrite.stage.epoch";

    public static final String CHANGES = "dualwrite.stage.changes";

    private final MeterRegistry registry;

    private final Map<String, AtomicReference<Applied>> applied = new ConcurrentHashMap<>();

    public StageMetrics(MeterRegistry registry) {
        Assert.notNull(registry, "registry must not be null");
        this.registry = registry;
    }

    @Override
    public void applied(String repository, @Nullable WriteStrategy previous, WriteStrategy strategy, long epoch) {
        Applied now = new Applied(strategy, epoch);
        this.applied.computeIfAbsent(repository, (name) -> register(name, now))
            // A poll and a move made here may report out of order: the newest epoch wins.
            .accumulateAndGet(now, (current, next) -> (next.epoch() > current.epoch()) ? next : current);
        if (previous != null) {
            changes(repository).increment();
        }
    }

    private AtomicReference<Applied> register(String repository, Applied first) {
        AtomicReference<Applied> state = new AtomicReference<>(first);
        Gauge.builder(STAGE, state, (current) -> current.get().strategy().ordinal())
            .tag("repository", repository)
            .description("Stage this instance applies: 0 REDIS_PRIMARY, 1 DUAL, 2 POSTGRES_PRIMARY, 3 POSTGRES_ONLY")
            .register(this.registry);
        Gauge.builder(EPOCH, state, (current) -> current.get().epoch())
            .tag("repository", repository)
            .description("Epoch of the stage this instance applies")
            .register(this.registry);
        changes(repository);
        return state;
    }

    private Counter changes(String repository) {
        return Counter.builder(CHANGES)
            .tag("repository", repository)
            .description("Stage changes this instance applied, made here or on another instance")
            .register(this.registry);
    }

    private record Applied(WriteStrategy strategy, long epoch) {
    }

}
