package dev.dualwrite.autoconfigure.repair;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.repair.reconcile.RepairMetrics;
import dev.dualwrite.core.repair.reconcile.RepairReconciler;

import org.springframework.context.SmartLifecycle;

/**
 * Starts the {@link RepairReconciler} once the application context is up (so every repository
 * is paired) and stops it on shutdown, before the connection pools close.
 */
public class RepairReconcilerLifecycle implements SmartLifecycle {

    private final RepairReconciler reconciler;

    private final DualRepositoryRegistry registry;

    private final RepairMetrics metrics;

    private final boolean enabled;

    private volatile boolean running;

    /**
     * @param reconciler the reconciler
     * @param registry the paired repositories, whose meters are registered at start
     * @param metrics the reconciler's meters
     * @param enabled whether to drain in the background (meters are registered regardless)
     */
    public RepairReconcilerLifecycle(RepairReconciler reconciler, DualRepositoryRegistry registry,
            RepairMetrics metrics, boolean enabled) {
        this.reconciler = reconciler;
        this.registry = registry;
        this.metrics = metrics;
        this.enabled = enabled;
    }

    @Override
    public void start() {
        this.registry.all().forEach((repository) -> this.metrics.registerRepository(repository.name()));
        if (this.enabled) {
            this.reconciler.start();
        }
        this.running = true;
    }

    @Override
    public void stop() {
        this.reconciler.close();
        this.running = false;
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

}
