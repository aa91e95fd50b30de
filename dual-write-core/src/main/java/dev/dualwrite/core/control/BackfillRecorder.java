package dev.dualwrite.core.control;

import java.util.List;

import dev.dualwrite.core.backfill.BackfillListener;
import dev.dualwrite.core.backfill.BackfillReport;
import dev.dualwrite.core.ledger.LedgerAction;
import dev.dualwrite.core.ledger.LedgerEntry;
import dev.dualwrite.core.strategy.WriteStrategy;

/**
 * The control plane's part in a backfill: a job starts only when every live instance applies
 * the stage of each of its repositories (an instance still at {@code REDIS_PRIMARY} would
 * write Redis alone behind the copy), a catch-up writes only while the shared stage stays the
 * {@code DUAL} every live instance applied when it started, and each run's start and end go to
 * the ledger.
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

    // The shared stage, not this instance's: an instance still at POSTGRES_PRIMARY writes
    // PostgreSQL before Redis, and a catch-up would write the older Redis value over its row.
    @Override
    public long requireCatchUp(String repository, long since) {
        SharedStage stage = this.controlPlane.stage(repository);
        if (stage.strategy() != WriteStrategy.DUAL) {
            throw new IllegalStateException("Repository '" + repository + "' is at " + stage.strategy() + " (epoch "
                    + stage.epoch() + ")" + ((since >= 0) ? " since the catch-up started at epoch " + since : "")
                    + ": a catch-up writes Redis's values over PostgreSQL's rows only while every instance applies "
                    + "DUAL; move the repository to DUAL and run it again");
        }
        if (since < 0) {
            this.controlPlane.requireAgreement(repository, "a catch-up backfill");
        }
        else if (stage.epoch() != since) {
            throw new IllegalStateException("Repository '" + repository + "' moved from epoch " + since
                    + " to epoch " + stage.epoch() + " (" + stage.strategy() + ", by " + stage.changedBy()
                    + ") during the catch-up, which stopped: an instance may still apply the stage in between; run "
                    + "it again once every instance applies DUAL");
        }
        return stage.epoch();
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
