package dev.dualwrite.core.control;

import java.util.List;

import dev.dualwrite.core.backfill.BackfillListener;
import dev.dualwrite.core.backfill.BackfillReport;
import dev.dualwrite.core.ledger.LedgerAction;
import dev.dualwrite.core.ledger.LedgerEntry;

/**
 * The control plane's part in a backfill: a job starts only when every live instance applies
 * the stage of each of its repositories (an instance still at {@code REDIS_PRIMARY} would
 * write Redis alone behind the copy), and each run's start and end go to the ledger.
 */
final class BackfillRecorder implements BackfillListener {

    private final ControlPlane controlPlane;

    BackfillRecorder(ControlPlane controlPlane) {
        this.controlPlane = controlPlane;
    }

    @Override
    public void beforeStart(List<String> repositories, String startedBy) {
        repositories.forEach((repository) -> this.controlPlane.requireAgreement(repository, "a backfill"));
    }

    @Override
    public void started(String repository, String runId, boolean resumed, String startedBy) {
        SharedStage stage = this.controlPlane.stage(repository);
        this.controlPlane.ledger()
            .append(LedgerEntry.of(repository, LedgerAction.BACKFILL_STARTED, startedBy)
                .withStages(null, stage.strategy(), stage.epoch())
                .withDetails("run " + runId + (resumed ? ", resuming from its checkpoint" : ", from the start")));
    }

    @Override
    public void finished(BackfillReport report, String startedBy) {
        SharedStage stage = this.controlPlane.stage(report.repository());
        this.controlPlane.ledger()
            .append(LedgerEntry.of(report.repository(), LedgerAction.BACKFILL_FINISHED, startedBy)
                .withStages(null, stage.strategy(), stage.epoch())
                .withResult(null, report.state().name(), null)
                .withDetails(report.summary()));
    }

}
