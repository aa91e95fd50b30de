package dev.dualwrite.control;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.control.app.redis.TicketRepository;
import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.control.ControlPlane;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.repair.reconcile.RepairReconciler;
import dev.dualwrite.core.verify.Verifier;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * One running instance of the ticket service: a Spring context of its own in this JVM.
 * @param id its {@code dual-write.control.instance-id}
 * @param repository the name of the paired repository
 * @param context the application context
 */
record TicketInstance(String id, String repository, ConfigurableApplicationContext context) {

    /** The repository the application injects: decorated, routed by the stage this instance applies. */
    TicketRepository tickets() {
        return this.context.getBean(TicketRepository.class);
    }

    ControlPlane controlPlane() {
        return this.context.getBean(ControlPlane.class);
    }

    Backfill backfill() {
        return this.context.getBean(Backfill.class);
    }

    Verifier verifier() {
        return this.context.getBean(Verifier.class);
    }

    RepairReconciler reconciler() {
        return this.context.getBean(RepairReconciler.class);
    }

    DualRepository<?, ?, ?> pair() {
        return Verifier.find(this.context.getBean(DualRepositoryRegistry.class)::all, this.repository);
    }

    /** Stop the instance as a shutdown does: its control plane leaves the agreement. */
    void stop() {
        this.context.close();
    }

    @Override
    public String toString() {
        return this.id;
    }

}
